package dev.fairlead.tls;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a server's TLS material is: its certificate chain and private key (PEM; the key in PKCS#8,
 * {@code BEGIN PRIVATE KEY}) and, when clients must present certificates, the CA bundle that signs
 * them. The files are checked for changes every {@code reloadInterval} and re-read when they
 * change.
 *
 * @param certFile the server's certificate chain, leaf first
 * @param keyFile the private key of the leaf certificate
 * @param caFile CA certificates clients' certificates must chain to; present means client
 *     certificates are required
 * @param reloadInterval how often the files are checked for changes
 */
public record TlsFiles(
    Path certFile, Path keyFile, Optional<Path> caFile, Duration reloadInterval) {

  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(10);

  public TlsFiles {
    Objects.requireNonNull(certFile, "certFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(caFile, "caFile");
    Objects.requireNonNull(reloadInterval, "reloadInterval");
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException("reloadInterval must be positive, was " + reloadInterval);
    }
  }

  /** The files, checked for changes every {@link #DEFAULT_RELOAD_INTERVAL}. */
  public static TlsFiles of(Path certFile, Path keyFile, Optional<Path> caFile) {
    return new TlsFiles(certFile, keyFile, caFile, DEFAULT_RELOAD_INTERVAL);
  }

  public TlsFiles withReloadInterval(Duration interval) {
    return new TlsFiles(certFile, keyFile, caFile, interval);
  }

  /** Whether clients must present a certificate signed by {@link #caFile}. */
  public boolean clientCertificatesRequired() {
    return caFile.isPresent();
  }

  /** Paths only, never contents: safe for logs. */
  @Override
  public String toString() {
    return "certificate "
        + certFile
        + ", key "
        + keyFile
        + caFile.map(ca -> ", client certificates required (CA " + ca + ")").orElse("");
  }
}
