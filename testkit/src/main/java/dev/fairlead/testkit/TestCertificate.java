package dev.fairlead.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;

/**
 * A certificate issued by a {@link TestCa} and its private key; written as PEM files (the key in
 * PKCS#8) the way Fairlead's flags take them.
 */
public record TestCertificate(X509Certificate certificate, PrivateKey privateKey) {

  public BigInteger serial() {
    return certificate.getSerialNumber();
  }

  public String certificatePem() {
    return pem("CERTIFICATE", encoded(certificate));
  }

  /** The key as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}). */
  public String privateKeyPem() {
    return pem("PRIVATE KEY", privateKey.getEncoded());
  }

  /** The base64 body of the key's PEM, on one line: what must never appear in a log. */
  public String privateKeyBase64() {
    return Base64.getEncoder().encodeToString(privateKey.getEncoded());
  }

  /**
   * Writes the certificate and the key, each atomically (a reader sees the old file or the new one,
   * never half of one); the key first, so a reader never sees a new certificate next to an old key
   * for long.
   */
  public void write(Path certFile, Path keyFile) {
    writeAtomically(keyFile, privateKeyPem());
    writeAtomically(certFile, certificatePem());
  }

  /** A key manager presenting this certificate, for clients. */
  public X509KeyManager keyManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      char[] password = "test".toCharArray();
      store.setKeyEntry("identity", privateKey, password, new X509Certificate[] {certificate});
      KeyManagerFactory factory =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      factory.init(store, password);
      return (X509KeyManager) factory.getKeyManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  static void writeAtomically(Path file, String content) {
    try {
      Path absolute = file.toAbsolutePath();
      Files.createDirectories(absolute.getParent());
      Path temporary = Files.createTempFile(absolute.getParent(), ".writing-", ".tmp");
      Files.writeString(temporary, content);
      Files.move(
          temporary, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
