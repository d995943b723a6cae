package dev.fairlead.tls;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.CertificateUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS material of one server, kept current from its {@link TlsFiles}: a key manager presenting
 * the certificate and key, and — when a CA file is given — a trust manager that accepts only client
 * certificates chaining to it. Both are gRPC's swappable managers, so a reload takes effect for the
 * next handshake on every port that uses them (gRPC and Vert.x alike); connections already open
 * keep the certificate they started with. A rotation is only applied when the certificate, key and
 * CA all parse and the key matches the certificate. Closing stops watching the files.
 */
public final class ServerTls implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  private final TlsFiles files;
  private final AdvancedTlsX509KeyManager keyManager = new AdvancedTlsX509KeyManager();
  private final Optional<AdvancedTlsX509TrustManager> trustManager;
  private WatchedFiles watch;

  private ServerTls(TlsFiles files, Optional<AdvancedTlsX509TrustManager> trustManager) {
    this.files = files;
    this.trustManager = trustManager;
  }

  /**
   * Loads the files (failing with {@link UnusableFileException} naming the file and the problem)
   * and watches them.
   *
   * @param server which server, for log lines and errors ("xDS")
   */
  public static ServerTls start(String server, TlsFiles files) {
    Optional<AdvancedTlsX509TrustManager> trust = Optional.empty();
    if (files.clientCertificatesRequired()) {
      try {
        trust =
            Optional.of(
                AdvancedTlsX509TrustManager.newBuilder()
                    .setVerification(
                        AdvancedTlsX509TrustManager.Verification.CERTIFICATE_ONLY_VERIFICATION)
                    .build());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot create a trust manager: " + e.getMessage(), e);
      }
    }
    ServerTls tls = new ServerTls(files, trust);
    List<Path> paths = new ArrayList<>(List.of(files.certFile(), files.keyFile()));
    files.caFile().ifPresent(paths::add);
    tls.watch = WatchedFiles.start(server + " TLS files", paths, files.reloadInterval(), tls::load);
    return tls;
  }

  /** TLS material for {@code transport}'s files, or empty for plaintext. */
  public static Optional<ServerTls> start(String server, ServerTransport transport) {
    return transport.tls().map(files -> start(server, files));
  }

  /** gRPC server credentials: TLS from {@code tls}, or plaintext when empty. */
  public static ServerCredentials grpcCredentials(Optional<ServerTls> tls) {
    return tls.map(ServerTls::grpcCredentials).orElseGet(InsecureServerCredentials::create);
  }

  /**
   * gRPC server credentials using this material; client certificates are required when a CA is
   * configured.
   */
  public ServerCredentials grpcCredentials() {
    TlsServerCredentials.Builder credentials =
        TlsServerCredentials.newBuilder().keyManager(keyManager);
    trustManager.ifPresent(
        trust ->
            credentials.trustManager(trust).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE));
    return credentials.build();
  }

  /** Presents the current certificate and key. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * Accepts client certificates chaining to the current CA bundle; empty when client certificates
   * are not required.
   */
  public Optional<X509ExtendedTrustManager> clientTrust() {
    return trustManager.map(trust -> trust);
  }

  public TlsFiles files() {
    return files;
  }

  private String load(List<byte[]> contents) {
    X509Certificate[] chain = certificates(files.certFile(), contents.get(0));
    PrivateKey key = privateKey(files.keyFile(), contents.get(1));
    requireMatch(chain[0], key);
    Optional<X509Certificate[]> cas = files.caFile().map(ca -> certificates(ca, contents.get(2)));
    if (cas.isPresent()) {
      try {
        trustManager.orElseThrow().updateTrustCredentials(cas.get());
      } catch (IOException | GeneralSecurityException e) {
        throw new UnusableFileException(
            files.caFile().orElseThrow()
                + ": cannot be used as CA certificates ("
                + e.getClass().getSimpleName()
                + ")");
      }
    }
    keyManager.updateIdentityCredentials(chain, key);
    X509Certificate leaf = chain[0];
    return "certificate "
        + leaf.getSubjectX500Principal().getName()
        + " serial "
        + leaf.getSerialNumber().toString(16)
        + " valid until "
        + leaf.getNotAfter().toInstant()
        + cas.map(
                c ->
                    ", "
                        + c.length
                        + " CA certificate"
                        + (c.length == 1 ? "" : "s")
                        + " for clients")
            .orElse("");
  }

  private static X509Certificate[] certificates(Path file, byte[] pem) {
    if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new UnusableFileException(
          file + ": no PEM certificate (a BEGIN CERTIFICATE block) in it");
    }
    X509Certificate[] certificates;
    try {
      certificates = CertificateUtils.getX509Certificates(new ByteArrayInputStream(pem));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new UnusableFileException(
          file + ": not a valid PEM certificate (" + e.getClass().getSimpleName() + ")");
    }
    if (certificates.length == 0) {
      throw new UnusableFileException(file + ": no certificate in it");
    }
    return certificates;
  }

  private static PrivateKey privateKey(Path file, byte[] pem) {
    String text = new String(pem, StandardCharsets.US_ASCII);
    if (!text.contains("-----BEGIN PRIVATE KEY-----")) {
      if (text.contains("-----BEGIN RSA PRIVATE KEY-----")
          || text.contains("-----BEGIN EC PRIVATE KEY-----")) {
        throw new UnusableFileException(
            file
                + ": the key must be PKCS#8 (a BEGIN PRIVATE KEY block); convert it "
                + "with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pkcs8");
      }
      if (text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----")) {
        throw new UnusableFileException(file + ": encrypted private keys are not supported");
      }
      throw new UnusableFileException(
          file + ": no PKCS#8 PEM private key (a BEGIN PRIVATE KEY block) in it");
    }
    try {
      return CertificateUtils.getPrivateKey(new ByteArrayInputStream(pem));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new UnusableFileException(
          file
              + ": not a valid PKCS#8 RSA or EC private key ("
              + e.getClass().getSimpleName()
              + ")");
    }
  }

  /** Signs a random challenge with the key and verifies it with the certificate's public key. */
  private void requireMatch(X509Certificate leaf, PrivateKey key) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          default ->
              throw new UnusableFileException(
                  files.keyFile() + ": unsupported key algorithm " + key.getAlgorithm());
        };
    boolean matches;
    try {
      byte[] challenge = new byte[32];
      RANDOM.nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leaf.getPublicKey());
      verifier.update(challenge);
      matches = verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      matches = false;
    }
    if (!matches) {
      throw new UnusableFileException(
          files.keyFile() + ": the key does not match the certificate in " + files.certFile());
    }
  }

  @Override
  public void close() {
    if (watch != null) {
      watch.close();
    }
  }
}
