package dev.fairlead.xds.translate;

import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Turns a Kubernetes Secret of type {@code kubernetes.io/tls} into the Envoy {@link Secret} an
 * HTTPS listener is served over SDS, after checking what Envoy would otherwise refuse with a NACK
 * (taking the whole listener update down with it): {@code tls.crt} holds one or more PEM {@code
 * CERTIFICATE} blocks, the server's certificate first; {@code tls.key} holds one PEM private key,
 * unencrypted, as PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA ({@code RSA PRIVATE KEY}) or SEC1 EC
 * ({@code EC PRIVATE KEY}) — the formats Envoy's BoringSSL reads; the key is the certificate's (a
 * fixed message signed with it verifies with the certificate's public key); and the key is one
 * Envoy serves: RSA of 2048 bits or more, or ECDSA on P-256, P-384 or P-521. Validity dates are not
 * checked: the translator reads no clock, and an expired certificate is the client's to refuse.
 *
 * <p>Bouncy Castle's {@link PEMParser} reads the PEM blocks: the JDK reads neither PEM nor PKCS#1
 * and SEC1 keys. The bytes go to Envoy exactly as the Secret holds them, inline in the {@link
 * Secret} resource — the only resource that ever carries a private key.
 *
 * <p>Stateless and thread-safe.
 */
final class CertificateSecrets {

  static final String CERTIFICATE_KEY = "tls.crt";
  static final String PRIVATE_KEY_KEY = "tls.key";
  private static final byte[] PROBE =
      "fairlead: does this key belong to the certificate?".getBytes(StandardCharsets.UTF_8);
  private static final Pattern JAVA_CLASS =
      Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z0-9_]+)+\\.[A-Z]\\w*:?");
  private static final Set<ASN1ObjectIdentifier> SERVED_CURVES =
      Set.of(
          SECObjectIdentifiers.secp256r1,
          SECObjectIdentifiers.secp384r1,
          SECObjectIdentifiers.secp521r1);

  private CertificateSecrets() {}

  /** What a Kubernetes Secret became: the Envoy secret, or why it cannot be served. */
  sealed interface Result {

    /** The certificate and key, ready to be served. */
    record Valid(Secret secret) implements Result {}

    /**
     * Why the Secret cannot be served, naming its key ({@code tls.crt}, {@code tls.key}) at fault.
     */
    record Invalid(String problem) implements Result {}
  }

  /**
   * Reads the Secret {@code secret} (data base64-encoded as the API server hands it, or {@code
   * stringData} as a file may hold it) into the Envoy secret named {@code name}.
   */
  static Result read(io.fabric8.kubernetes.api.model.Secret secret, String name) {
    Optional<byte[]> chain;
    Optional<byte[]> key;
    try {
      chain = value(secret, CERTIFICATE_KEY);
      key = value(secret, PRIVATE_KEY_KEY);
    } catch (IllegalArgumentException e) {
      return new Result.Invalid("data: " + e.getMessage());
    }
    if (chain.isEmpty()) {
      return new Result.Invalid("data." + CERTIFICATE_KEY + ": missing or empty");
    }
    if (key.isEmpty()) {
      return new Result.Invalid("data." + PRIVATE_KEY_KEY + ": missing or empty");
    }
    List<X509Certificate> certificates;
    try {
      certificates = certificates(chain.get());
    } catch (IllegalArgumentException e) {
      return new Result.Invalid("data." + CERTIFICATE_KEY + ": " + e.getMessage());
    }
    PrivateKey privateKey;
    try {
      privateKey = privateKey(key.get());
    } catch (IllegalArgumentException e) {
      return new Result.Invalid("data." + PRIVATE_KEY_KEY + ": " + e.getMessage());
    }
    Optional<String> keyProblem = servedKeyProblem(certificates.get(0).getPublicKey());
    if (keyProblem.isPresent()) {
      return new Result.Invalid("data." + CERTIFICATE_KEY + ": " + keyProblem.get());
    }
    if (!belongs(privateKey, certificates.get(0).getPublicKey())) {
      return new Result.Invalid(
          "data."
              + PRIVATE_KEY_KEY
              + ": not the private key of the first certificate of "
              + CERTIFICATE_KEY
              + " ("
              + certificates.get(0).getSubjectX500Principal().getName()
              + ")");
    }
    return new Result.Valid(
        Secret.newBuilder()
            .setName(name)
            .setTlsCertificate(
                TlsCertificate.newBuilder()
                    .setCertificateChain(
                        DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(chain.get())))
                    .setPrivateKey(
                        DataSource.newBuilder().setInlineBytes(ByteString.copyFrom(key.get()))))
            .build());
  }

  /**
   * The bytes of {@code key} in {@code data} (base64-decoded), else in {@code stringData}; empty if
   * neither has any.
   */
  private static Optional<byte[]> value(io.fabric8.kubernetes.api.model.Secret secret, String key) {
    Map<String, String> data = secret.getData();
    if (data != null && data.get(key) != null && !data.get(key).isEmpty()) {
      try {
        return Optional.of(Base64.getDecoder().decode(data.get(key)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(key + " is not base64: " + e.getMessage());
      }
    }
    Map<String, String> stringData = secret.getStringData();
    if (stringData != null && stringData.get(key) != null && !stringData.get(key).isEmpty()) {
      return Optional.of(stringData.get(key).getBytes(StandardCharsets.UTF_8));
    }
    return Optional.empty();
  }

  private static List<X509Certificate> certificates(byte[] pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    try (PEMParser parser = parser(pem)) {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (!(object instanceof org.bouncycastle.cert.X509CertificateHolder holder)) {
          throw new IllegalArgumentException("holds a PEM block that is not a CERTIFICATE");
        }
        certificates.add(
            (X509Certificate)
                factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | CertificateException | RuntimeException e) {
      // Bouncy Castle reports a PEM body that is not base64 with an unchecked DecoderException.
      throw new IllegalArgumentException("not a PEM certificate chain: " + oneLine(e));
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("holds no PEM CERTIFICATE block");
    }
    return certificates;
  }

  private static PrivateKey privateKey(byte[] pem) {
    Object object;
    try (PEMParser parser = parser(pem)) {
      object = parser.readObject();
      if (object != null && parser.readObject() != null) {
        throw new IllegalArgumentException(
            "holds more than one PEM block; expected one private key");
      }
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Bouncy Castle reports a PEM body that is not base64 with an unchecked DecoderException.
      throw new IllegalArgumentException("not a PEM private key: " + oneLine(e));
    }
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try {
      if (object instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (object instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
    } catch (PEMException e) {
      throw new IllegalArgumentException("unreadable private key: " + oneLine(e));
    }
    if (object == null) {
      throw new IllegalArgumentException("holds no PEM private key");
    }
    throw new IllegalArgumentException(
        "holds a PEM block that is not an unencrypted private key (PRIVATE KEY, "
            + "RSA PRIVATE KEY or EC PRIVATE KEY)");
  }

  /** Why Envoy would not serve a certificate with {@code key}, if it would not. */
  private static Optional<String> servedKeyProblem(PublicKey key) {
    if (key instanceof RSAPublicKey rsa) {
      return rsa.getModulus().bitLength() < 2048
          ? Optional.of(
              "an RSA key of "
                  + rsa.getModulus().bitLength()
                  + " bits; Envoy serves 2048 bits or more")
          : Optional.empty();
    }
    if (key.getAlgorithm().equals("EC")) {
      Object curve =
          SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
      return curve instanceof ASN1ObjectIdentifier oid && SERVED_CURVES.contains(oid)
          ? Optional.empty()
          : Optional.of("an ECDSA key on a curve Envoy does not serve; use P-256, P-384 or P-521");
    }
    return Optional.of("a " + key.getAlgorithm() + " key; Envoy serves RSA and ECDSA certificates");
  }

  /** Whether {@code key} signs what {@code certificateKey} verifies. */
  private static boolean belongs(PrivateKey key, PublicKey certificateKey) {
    if (!key.getAlgorithm().equals(certificateKey.getAlgorithm())) {
      return false;
    }
    String algorithm = key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(PROBE);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificateKey);
      verifier.update(PROBE);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static PEMParser parser(byte[] pem) {
    return new PEMParser(new StringReader(new String(pem, StandardCharsets.UTF_8)));
  }

  /**
   * The exception's message on one line, without the Java class names parsers put in front of their
   * causes.
   */
  private static String oneLine(Exception e) {
    String message = e.getMessage() == null ? "unreadable" : e.getMessage();
    return JAVA_CLASS
        .matcher(message)
        .replaceAll("")
        .replaceAll("^[:\\s]+", "")
        .replaceAll("\\s+", " ")
        .trim();
  }
}
