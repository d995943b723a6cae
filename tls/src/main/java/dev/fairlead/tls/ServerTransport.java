package dev.fairlead.tls;

import java.util.Objects;
import java.util.Optional;

/**
 * How a server protects its port: TLS from {@link TlsFiles}, or plaintext — which Fairlead only
 * does when asked for explicitly, so this type has no default.
 */
public record ServerTransport(Optional<TlsFiles> tls) {

  public ServerTransport {
    Objects.requireNonNull(tls, "tls");
  }

  /** No TLS: for loopback, tests, or a network that protects the port some other way. */
  public static ServerTransport plaintext() {
    return new ServerTransport(Optional.empty());
  }

  public static ServerTransport tls(TlsFiles files) {
    return new ServerTransport(Optional.of(files));
  }

  public boolean isPlaintext() {
    return tls.isEmpty();
  }

  /** Paths only: safe for logs. */
  @Override
  public String toString() {
    return tls.map(files -> "TLS (" + files + ")").orElse("plaintext");
  }
}
