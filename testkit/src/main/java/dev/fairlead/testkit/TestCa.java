package dev.fairlead.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate authority of the test's own, made in memory: it issues certificates for {@code
 * 127.0.0.1} and {@code localhost} that serve as server and as client certificates alike, and
 * builds client-side TLS contexts that trust only it. Nothing outside the test is read or trusted.
 */
public final class TestCa {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Duration VALIDITY = Duration.ofDays(1);

  private final KeyPair keys;
  private final X509Certificate certificate;

  private TestCa(KeyPair keys, X509Certificate certificate) {
    this.keys = keys;
    this.certificate = certificate;
  }

  /** A new CA named {@code CN=name}, with an EC P-256 key. */
  public static TestCa create(String name) {
    KeyPair keys = keyPair("EC");
    X500Name subject = new X500Name("CN=" + name);
    try {
      X509v3CertificateBuilder builder = builder(subject, subject, keys.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      return new TestCa(keys, sign(builder, keys));
    } catch (CertIOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A certificate for {@code CN=commonName}, 127.0.0.1 and localhost, with an EC P-256 key. */
  public TestCertificate issue(String commonName) {
    return issue(commonName, "EC");
  }

  /**
   * A certificate for {@code CN=commonName}, 127.0.0.1 and localhost, with a key of {@code
   * algorithm} (EC, RSA).
   */
  public TestCertificate issue(String commonName, String algorithm) {
    return issue("CN=" + commonName, algorithm, List.of("127.0.0.1"), List.of("localhost"));
  }

  /**
   * A certificate for the distinguished name {@code subject} (e.g. {@code
   * CN=admin,O=system:masters}, which Kubernetes reads as user and group) and the given IP
   * addresses and DNS names, with a key of {@code algorithm}.
   */
  public TestCertificate issue(
      String subject, String algorithm, List<String> ipAddresses, List<String> dnsNames) {
    return issue(subject, algorithm, ipAddresses, dnsNames, List.of());
  }

  /**
   * A certificate for {@code CN=commonName}, 127.0.0.1 and localhost that also carries {@code uris}
   * as URI subject alternative names (e.g. a SPIFFE identity), with an EC P-256 key.
   */
  public TestCertificate issueWithUris(String commonName, List<String> uris) {
    return issue("CN=" + commonName, "EC", List.of("127.0.0.1"), List.of("localhost"), uris);
  }

  private TestCertificate issue(
      String subject,
      String algorithm,
      List<String> ipAddresses,
      List<String> dnsNames,
      List<String> uris) {
    KeyPair leaf = keyPair(algorithm);
    List<GeneralName> names = new ArrayList<>();
    ipAddresses.forEach(address -> names.add(new GeneralName(GeneralName.iPAddress, address)));
    dnsNames.forEach(name -> names.add(new GeneralName(GeneralName.dNSName, name)));
    uris.forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    try {
      X500Name issuer = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder = builder(issuer, new X500Name(subject), leaf.getPublic());
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
      builder.addExtension(
          Extension.extendedKeyUsage,
          false,
          new ExtendedKeyUsage(
              new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(certificate));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(leaf.getPublic()));
      return new TestCertificate(sign(builder, keys), leaf.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** This CA's certificate as PEM. */
  public String certificatePem() {
    return TestCertificate.pem("CERTIFICATE", TestCertificate.encoded(certificate));
  }

  /** Writes {@link #certificatePem()} to {@code file} (atomically) and returns the file. */
  public Path writeCertificate(Path file) {
    TestCertificate.writeAtomically(file, certificatePem());
    return file;
  }

  /** A trust manager that trusts only this CA. */
  public X509TrustManager trustManager() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      store.setCertificateEntry("ca", certificate);
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return (X509TrustManager) factory.getTrustManagers()[0];
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client TLS context trusting only this CA, presenting {@code identity} when given. */
  public SSLContext clientContext(Optional<TestCertificate> identity) {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          identity.map(id -> new javax.net.ssl.KeyManager[] {id.keyManager()}).orElse(null),
          new javax.net.ssl.TrustManager[] {trustManager()},
          RANDOM);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The certificate a TLS server on {@code 127.0.0.1:port} presents to a new connection (offering
   * ALPN h2 and http/1.1), which must chain to this CA; {@code identity} is presented when the
   * server asks for a client certificate.
   */
  public X509Certificate serverCertificateAt(int port, Optional<TestCertificate> identity) {
    try (SSLSocket socket = (SSLSocket) clientContext(identity).getSocketFactory().createSocket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      socket.setSoTimeout(5_000);
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    } catch (IOException e) {
      throw new UncheckedIOException(
          "TLS handshake with 127.0.0.1:" + port + " failed: " + e.getMessage(), e);
    }
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key) {
    Instant now = Instant.now();
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(Duration.ofHours(1))),
        Date.from(now.plus(VALIDITY)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair issuer) {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(
                  new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    } catch (OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair(String algorithm) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      } else {
        generator.initialize(2048, RANDOM);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot make a " + algorithm + " key", e);
    }
  }
}
