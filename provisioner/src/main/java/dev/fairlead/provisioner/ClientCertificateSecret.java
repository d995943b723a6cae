package dev.fairlead.provisioner;

import dev.fairlead.api.params.ProxyIdentity;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The Secret holding one managed fleet's xDS client certificate: {@value #CERTIFICATE_KEY}, {@value
 * #KEY_KEY} and the CA's certificate {@value #CA_KEY} (PEM), mounted into the fleet's pods at
 * {@link ProxyBootstrap#CLIENT_CERTIFICATE_DIR}. Named and labelled like the fleet's other objects
 * and owned by its Gateway.
 *
 * <p>Its type is {@code Opaque}, not {@code kubernetes.io/tls}: Fairlead's own Secret informer
 * (certificates of HTTPS listeners) selects that type, and a proxy's private key has no business in
 * the translator's state.
 *
 * <p>A certificate is random (a fresh key pair and serial), so it cannot be part of the pure {@link
 * ManagedProxy}: {@link #reusable} decides, from the Secret in the cluster, whether the fleet keeps
 * its certificate; only when it does not does the reconciler issue a new one.
 */
final class ClientCertificateSecret {

  static final String CERTIFICATE_KEY = "tls.crt";
  static final String KEY_KEY = "tls.key";
  static final String CA_KEY = "ca.crt";

  /**
   * A certificate with less than this part of its validity left is replaced: with {@link
   * ProxyCertificateAuthority#LEAF_VALIDITY} of a year, four months ahead.
   */
  private static final int RENEW_WITHIN_DIVISOR = 3;

  private ClientCertificateSecret() {}

  /**
   * The Secret of {@code issued}, the client certificate of the fleet whose objects carry {@code
   * metadata}.
   */
  static Secret of(
      ObjectMeta metadata, ProxyCertificateAuthority.Issued issued, ProxyCertificateAuthority ca) {
    return secret(
        metadata,
        Map.of(
            CERTIFICATE_KEY, CaSecret.base64(issued.certificatePem()),
            KEY_KEY, CaSecret.base64(issued.keyPem()),
            CA_KEY, CaSecret.base64(ca.ca().certificatePem())));
  }

  /**
   * The Secret of the fleet whose objects carry {@code metadata}, holding what {@code existing}
   * holds.
   */
  static Secret kept(ObjectMeta metadata, Secret existing) {
    Map<String, String> data = new TreeMap<>();
    for (String key : List.of(CERTIFICATE_KEY, KEY_KEY, CA_KEY)) {
      data.put(key, existing.getData().get(key));
    }
    return secret(metadata, data);
  }

  private static Secret secret(ObjectMeta metadata, Map<String, String> data) {
    return new SecretBuilder()
        .withMetadata(new ObjectMetaBuilder(metadata).build())
        .withType("Opaque")
        .withData(new TreeMap<>(data))
        .build();
  }

  /**
   * Whether {@code existing} can stay the fleet's Secret: it holds a certificate and a key, its
   * certificate is one of {@code ca}'s carrying exactly {@code identity} with the key beside it,
   * its CA certificate is {@code ca}'s, and more than a third of its validity is left at {@code
   * now}. Anything else — another CA after the CA Secret was replaced, a hand edit, an expiring
   * certificate — is replaced.
   */
  static boolean reusable(
      Secret existing, ProxyIdentity identity, ProxyCertificateAuthority ca, Instant now) {
    Map<String, String> data = existing.getData();
    if (data == null
        || data.get(KEY_KEY) == null
        || data.get(CA_KEY) == null
        || data.get(CERTIFICATE_KEY) == null) {
      return false;
    }
    Optional<X509Certificate> certificate = certificate(data.get(CERTIFICATE_KEY));
    if (certificate.isEmpty()
        || !ca.signed(certificate.get())
        || !certificate(data.get(CA_KEY)).equals(Optional.of(ca.ca().certificate()))) {
      return false;
    }
    Instant notBefore = certificate.get().getNotBefore().toInstant();
    Instant notAfter = certificate.get().getNotAfter().toInstant();
    Duration left = Duration.between(now, notAfter);
    return !now.isBefore(notBefore)
        && left.compareTo(Duration.between(notBefore, notAfter).dividedBy(RENEW_WITHIN_DIVISOR)) > 0
        && uris(certificate.get()).equals(List.of(identity.uri()))
        && keyOf(certificate.get(), data.get(KEY_KEY));
  }

  /**
   * The serial number (hex) of the certificate {@code secret} holds, for the pod annotation that
   * rolls the fleet.
   */
  static String serial(Secret secret) {
    return certificate(secret.getData().get(CERTIFICATE_KEY))
        .map(c -> c.getSerialNumber().toString(16))
        .orElseThrow(() -> new IllegalArgumentException("the Secret holds no certificate"));
  }

  private static Optional<X509Certificate> certificate(String base64Pem) {
    try {
      byte[] pem = Base64.getDecoder().decode(base64Pem);
      return Optional.of(
          (X509Certificate)
              CertificateFactory.getInstance("X.509")
                  .generateCertificate(new ByteArrayInputStream(pem)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static List<String> uris(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      return names == null
          ? List.of()
          : names.stream()
              .filter(name -> Integer.valueOf(6).equals(name.get(0)))
              .map(name -> String.valueOf(name.get(1)))
              .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  /**
   * Whether {@code base64Pem} is a PKCS#8 PEM EC key whose signature {@code certificate}'s public
   * key accepts.
   */
  private static boolean keyOf(X509Certificate certificate, String base64Pem) {
    try {
      PrivateKey key =
          ProxyCertificateAuthority.privateKey(
              new String(Base64.getDecoder().decode(base64Pem), StandardCharsets.US_ASCII));
      byte[] probe = "fairlead".getBytes(StandardCharsets.US_ASCII);
      Signature signer = Signature.getInstance("SHA256withECDSA");
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance("SHA256withECDSA");
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}
