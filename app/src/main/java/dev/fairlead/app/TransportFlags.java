package dev.fairlead.app;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The flags that choose how one server protects its port — {@code --<prefix>-tls-cert}, {@code
 * -tls-key}, {@code -tls-ca} and {@code --<prefix>-plaintext} — and the rule they follow: TLS needs
 * a certificate and a key (a CA makes client certificates required); plaintext must be asked for;
 * giving neither, or both, stops start-up.
 *
 * @param server what the server is, for messages ("the xDS server")
 * @param prefix the flags' prefix ("xds")
 */
record TransportFlags(
    String server, String prefix, Path cert, Path key, Path ca, boolean plaintext) {

  /**
   * An empty path (an environment variable set to "", as the Helm chart renders an unused one)
   * counts as absent.
   */
  TransportFlags {
    cert = given(cert);
    key = given(key);
    ca = given(ca);
  }

  /** {@code path}, or null when it is absent or empty. */
  static Path given(Path path) {
    return path == null || path.toString().isEmpty() ? null : path;
  }

  /**
   * The transport the flags choose; {@link IllegalArgumentException} saying what to give when they
   * choose none.
   */
  ServerTransport transport() {
    String flag = "--" + prefix;
    boolean anyTls = cert != null || key != null || ca != null;
    if (plaintext && anyTls) {
      throw new IllegalArgumentException(
          flag
              + "-plaintext excludes "
              + flag
              + "-tls-cert, "
              + flag
              + "-tls-key and "
              + flag
              + "-tls-ca: choose TLS or plaintext");
    }
    if (plaintext) {
      return ServerTransport.plaintext();
    }
    if (!anyTls) {
      throw new IllegalArgumentException(
          server
              + " serves TLS or, only when asked to, plaintext: give "
              + flag
              + "-tls-cert and "
              + flag
              + "-tls-key (and "
              + flag
              + "-tls-ca to require client certificates), or "
              + flag
              + "-plaintext");
    }
    if (cert == null || key == null) {
      throw new IllegalArgumentException(
          flag + "-tls-cert and " + flag + "-tls-key go together: give both");
    }
    return ServerTransport.tls(TlsFiles.of(cert, key, Optional.ofNullable(ca)));
  }
}
