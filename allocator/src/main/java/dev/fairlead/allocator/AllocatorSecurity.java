package dev.fairlead.allocator;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the allocation API (gRPC and HTTP alike) is protected: its transport — TLS, with client
 * certificates when a CA is given, or plaintext by explicit choice — and, optionally, a bearer
 * token every request must carry.
 *
 * @param transport TLS files or plaintext
 * @param tokenFile a file holding the bearer token requests must carry; empty for none
 * @param tokenReloadInterval how often the token file is checked for changes
 */
public record AllocatorSecurity(
    ServerTransport transport, Optional<Path> tokenFile, Duration tokenReloadInterval) {

  public AllocatorSecurity {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(tokenFile, "tokenFile");
    Objects.requireNonNull(tokenReloadInterval, "tokenReloadInterval");
  }

  public static AllocatorSecurity of(ServerTransport transport, Optional<Path> tokenFile) {
    return new AllocatorSecurity(transport, tokenFile, TlsFiles.DEFAULT_RELOAD_INTERVAL);
  }

  /** Plaintext, no token: for loopback and tests. */
  public static AllocatorSecurity plaintext() {
    return of(ServerTransport.plaintext(), Optional.empty());
  }

  /** Paths only: safe for logs. */
  @Override
  public String toString() {
    return transport + tokenFile.map(file -> ", bearer token required (" + file + ")").orElse("");
  }
}
