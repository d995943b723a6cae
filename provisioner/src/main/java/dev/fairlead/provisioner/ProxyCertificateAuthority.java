package dev.fairlead.provisioner;

import dev.fairlead.api.params.ProxyIdentity;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
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
 * Fairlead's own certificate authority for xDS: it issues the xDS server its certificate (for the
 * names proxies reach it by) and each managed fleet a client certificate carrying its Gateway's
 * {@link ProxyIdentity}, which the xDS server binds to {@code node.cluster}. Its certificate and
 * key live in a Secret of Fairlead's namespace ({@link CaSecret}), created at first start, so every
 * replica issues from the same CA.
 *
 * <p>Keys are EC P-256, written as PKCS#8 PEM ({@code BEGIN PRIVATE KEY}), which both Fairlead's
 * TLS and Envoy read. The CA is valid for {@link #CA_VALIDITY}, what it issues for {@link
 * #LEAF_VALIDITY}; server certificates carry only {@code serverAuth}, client certificates only
 * {@code clientAuth} and no DNS name, so a proxy's certificate cannot pass for the xDS server's.
 * Bouncy Castle builds the certificates: the JDK has no public API for that.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProxyCertificateAuthority {

  public static final Duration CA_VALIDITY = Duration.ofDays(3650);
  public static final Duration LEAF_VALIDITY = Duration.ofDays(365);

  /** Backdating of every certificate, so that a clock a little behind still accepts a new one. */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String SIGNATURE = "SHA256withECDSA";

  /** A certificate and its private key. */
  public record Issued(X509Certificate certificate, PrivateKey key) {

    public String certificatePem() {
      return pem("CERTIFICATE", encoded(certificate));
    }

    /** The key as PKCS#8 PEM. */
    public String keyPem() {
      return pem("PRIVATE KEY", key.getEncoded());
    }

    /**
     * The serial number in hex, for log lines and the pod annotation that rolls a fleet onto a new
     * certificate.
     */
    public String serial() {
      return certificate.getSerialNumber().toString(16);
    }

    /** Serial and expiry only: safe for logs. */
    @Override
    public String toString() {
      return "certificate "
          + certificate.getSubjectX500Principal().getName()
          + " serial "
          + serial()
          + " valid until "
          + certificate.getNotAfter().toInstant();
    }
  }

  private final Issued ca;

  private ProxyCertificateAuthority(Issued ca) {
    this.ca = ca;
  }

  /** A new CA, valid from {@code now} for {@link #CA_VALIDITY}. */
  public static ProxyCertificateAuthority create(Instant now) {
    KeyPair keys = keyPair();
    X500Name subject =
        new X500Name("CN=fairlead-xds-ca-" + new BigInteger(32, RANDOM).toString(16));
    try {
      X509v3CertificateBuilder builder =
          builder(subject, subject, keys.getPublic(), now, CA_VALIDITY);
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      builder.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          new JcaX509ExtensionUtils().createSubjectKeyIdentifier(keys.getPublic()));
      return new ProxyCertificateAuthority(
          new Issued(sign(builder, keys.getPrivate()), keys.getPrivate()));
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a CA certificate: " + e.getMessage(), e);
    }
  }

  /**
   * The CA of a PEM certificate and its PKCS#8 PEM EC key.
   *
   * @throws IllegalArgumentException saying which of the two is unusable, never quoting it
   */
  public static ProxyCertificateAuthority of(String certificatePem, String keyPem) {
    X509Certificate certificate;
    try {
      certificate =
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(
                      new ByteArrayInputStream(certificatePem.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the CA certificate is not a PEM X.509 certificate");
    }
    if (certificate.getBasicConstraints() < 0) {
      throw new IllegalArgumentException(
          "the CA certificate is not a CA (basicConstraints CA:false)");
    }
    PrivateKey key;
    try {
      key = privateKey(keyPem);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the CA key is not a PKCS#8 PEM EC private key");
    }
    try {
      X509v3CertificateBuilder probe =
          builder(
              new X500Name("CN=probe"),
              new X500Name("CN=probe"),
              certificate.getPublicKey(),
              Instant.now(),
              Duration.ofMinutes(1));
      sign(probe, key).verify(certificate.getPublicKey());
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("the CA key does not match the CA certificate");
    }
    return new ProxyCertificateAuthority(new Issued(certificate, key));
  }

  /**
   * A client certificate of {@code identity}'s fleet, valid from {@code now} for {@link
   * #LEAF_VALIDITY}.
   */
  public Issued issueClient(ProxyIdentity identity, Instant now) {
    return issue(
        "CN=" + identity.fleet().replace("/", "."),
        KeyPurposeId.id_kp_clientAuth,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri())),
        now);
  }

  /** A server certificate for {@code names} (DNS names or IP addresses), valid from {@code now}. */
  public Issued issueServer(List<String> names, Instant now) {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("a server certificate needs at least one name");
    }
    List<GeneralName> alternatives = new ArrayList<>();
    for (String name : names) {
      alternatives.add(
          new GeneralName(isAddress(name) ? GeneralName.iPAddress : GeneralName.dNSName, name));
    }
    return issue("CN=" + names.get(0), KeyPurposeId.id_kp_serverAuth, alternatives, now);
  }

  /** The CA's own certificate and key. */
  public Issued ca() {
    return ca;
  }

  /** Whether this CA signed {@code certificate}. */
  public boolean signed(X509Certificate certificate) {
    try {
      certificate.verify(ca.certificate().getPublicKey());
      return certificate
          .getIssuerX500Principal()
          .equals(ca.certificate().getSubjectX500Principal());
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private Issued issue(String subject, KeyPurposeId purpose, List<GeneralName> names, Instant now) {
    KeyPair keys = keyPair();
    Instant notAfter = now.plus(LEAF_VALIDITY);
    if (notAfter.isAfter(ca.certificate().getNotAfter().toInstant())) {
      notAfter = ca.certificate().getNotAfter().toInstant();
    }
    try {
      X500Name issuer =
          X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded());
      X509v3CertificateBuilder builder =
          builder(
              issuer,
              new X500Name(subject),
              keys.getPublic(),
              now,
              Duration.between(now, notAfter));
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      builder.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(names.toArray(GeneralName[]::new)));
      builder.addExtension(
          Extension.authorityKeyIdentifier,
          false,
          extensions.createAuthorityKeyIdentifier(ca.certificate()));
      builder.addExtension(
          Extension.subjectKeyIdentifier,
          false,
          extensions.createSubjectKeyIdentifier(keys.getPublic()));
      return new Issued(sign(builder, ca.key()), keys.getPrivate());
    } catch (CertIOException | GeneralSecurityException e) {
      throw new IllegalStateException(
          "cannot issue a certificate for " + subject + ": " + e.getMessage(), e);
    }
  }

  /** The EC key of a PKCS#8 PEM text ({@code BEGIN PRIVATE KEY}). */
  static PrivateKey privateKey(String keyPem) throws GeneralSecurityException {
    String body =
        keyPem
            .replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }

  /** Whether {@code name} is an IP address (IPv4 dotted or IPv6) rather than a DNS name. */
  static boolean isAddress(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  private static X509v3CertificateBuilder builder(
      X500Name issuer, X500Name subject, PublicKey key, Instant now, Duration validity) {
    return new JcaX509v3CertificateBuilder(
        issuer,
        new BigInteger(64, RANDOM).add(BigInteger.ONE),
        Date.from(now.minus(BACKDATE)),
        Date.from(now.plus(validity)),
        subject,
        key);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(SIGNATURE).build(issuer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e.getMessage(), e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("every Java platform has EC P-256", e);
    }
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (GeneralSecurityException e) {
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
}
