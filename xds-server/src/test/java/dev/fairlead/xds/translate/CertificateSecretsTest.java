package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.junit.jupiter.api.Test;

/**
 * Which certificates and keys {@link CertificateSecrets} serves, and how it says what is wrong with
 * the others.
 */
class CertificateSecretsTest {

  private static final TestCa CA = TestCa.create("certificate-secrets");
  private static final TestCertificate EC =
      CA.issue("CN=EC", "EC", List.of(), List.of("a.example.com"));
  private static final TestCertificate RSA =
      CA.issue("CN=rsa", "RSA", List.of(), List.of("b.example.com"));

  @Test
  void servesPkcs8KeysAndTheChainAsTheSecretHoldsThem() {
    String chain = EC.certificatePem() + CA.certificatePem();

    CertificateSecrets.Result result =
        CertificateSecrets.read(secret(chain, EC.privateKeyPem()), "web/a");

    assertThat(result)
        .isInstanceOfSatisfying(
            CertificateSecrets.Result.Valid.class,
            valid -> {
              Secret secret = valid.secret();
              assertThat(secret.getName()).isEqualTo("web/a");
              assertThat(
                      secret
                          .getTlsCertificate()
                          .getCertificateChain()
                          .getInlineBytes()
                          .toStringUtf8())
                  .isEqualTo(chain);
              assertThat(secret.getTlsCertificate().getPrivateKey().getInlineBytes().toStringUtf8())
                  .isEqualTo(EC.privateKeyPem());
            });
  }

  @Test
  void servesPkcs1RsaAndSec1EcKeys() {
    String pkcs1 = traditional(RSA);
    String sec1 = traditional(EC);

    assertThat(pkcs1).startsWith("-----BEGIN RSA PRIVATE KEY-----");
    assertThat(sec1).startsWith("-----BEGIN EC PRIVATE KEY-----");
    assertThat(CertificateSecrets.read(secret(RSA.certificatePem(), pkcs1), "web/b"))
        .isInstanceOf(CertificateSecrets.Result.Valid.class);
    assertThat(CertificateSecrets.read(secret(EC.certificatePem(), sec1), "web/a"))
        .isInstanceOf(CertificateSecrets.Result.Valid.class);
  }

  @Test
  void readsStringDataAsAFileMayHoldIt() {
    io.fabric8.kubernetes.api.model.Secret secret =
        new SecretBuilder()
            .withNewMetadata()
            .withName("a")
            .endMetadata()
            .withType("kubernetes.io/tls")
            .withStringData(Map.of("tls.crt", EC.certificatePem(), "tls.key", EC.privateKeyPem()))
            .build();

    assertThat(CertificateSecrets.read(secret, "web/a"))
        .isInstanceOf(CertificateSecrets.Result.Valid.class);
  }

  @Test
  void refusesAKeyThatIsNotTheCertificatesNamingTheKey() {
    assertThat(problem(secret(EC.certificatePem(), CA.issue("other").privateKeyPem())))
        .isEqualTo("data.tls.key: not the private key of the first certificate of tls.crt (CN=EC)");
    assertThat(problem(secret(EC.certificatePem(), RSA.privateKeyPem())))
        .startsWith("data.tls.key: not the private key");
  }

  @Test
  void refusesWhatIsNotPemOrMissingNamingTheKeyAtFault() {
    assertThat(problem(secret("hello", EC.privateKeyPem())))
        .isEqualTo("data.tls.crt: holds no PEM CERTIFICATE block");
    assertThat(problem(secret(EC.privateKeyPem(), EC.privateKeyPem())))
        .isEqualTo("data.tls.crt: holds a PEM block that is not a CERTIFICATE");
    assertThat(problem(secret(EC.certificatePem(), EC.certificatePem())))
        .startsWith("data.tls.key: holds a PEM block " + "that is not an unencrypted private key");
    assertThat(problem(secret(EC.certificatePem(), EC.privateKeyPem() + EC.privateKeyPem())))
        .isEqualTo("data.tls.key: holds more than one PEM block; expected one private key");
    assertThat(problem(secret(EC.certificatePem(), "")))
        .isEqualTo("data.tls.key: missing or empty");
    assertThat(problem(secret("", EC.privateKeyPem()))).isEqualTo("data.tls.crt: missing or empty");
    io.fabric8.kubernetes.api.model.Secret notBase64 =
        new SecretBuilder()
            .withNewMetadata()
            .withName("a")
            .endMetadata()
            .withData(Map.of("tls.crt", "%%%", "tls.key", "x"))
            .build();
    assertThat(problem(notBase64)).startsWith("data: tls.crt is not base64");
    String garbledBody = "-----BEGIN PRIVATE KEY-----\n\u00f8\u00b8%%\n-----END PRIVATE KEY-----\n";
    assertThat(problem(secret(EC.certificatePem(), garbledBody)))
        .startsWith("data.tls.key: not a PEM private key");
    String garbledCertificate =
        "-----BEGIN CERTIFICATE-----\n\u00f8\u00b8%%\n-----END CERTIFICATE-----\n";
    assertThat(problem(secret(garbledCertificate, EC.privateKeyPem())))
        .startsWith("data.tls.crt: not a PEM certificate chain");
  }

  private static String problem(io.fabric8.kubernetes.api.model.Secret secret) {
    CertificateSecrets.Result result = CertificateSecrets.read(secret, "web/x");
    assertThat(result).isInstanceOf(CertificateSecrets.Result.Invalid.class);
    return ((CertificateSecrets.Result.Invalid) result).problem();
  }

  private static io.fabric8.kubernetes.api.model.Secret secret(String chain, String key) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("x")
        .withNamespace("web")
        .endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of("tls.crt", base64(chain), "tls.key", base64(key)))
        .build();
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The key in its algorithm's own PEM form: PKCS#1 for RSA, SEC1 for EC (as openssl writes them
   * traditionally).
   */
  private static String traditional(TestCertificate certificate) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(certificate.privateKey().getEncoded());
      boolean rsa = certificate.privateKey().getAlgorithm().equals("RSA");
      // SEC1 carries the curve itself, which PKCS#8 keeps in the algorithm identifier.
      ASN1Encodable key =
          rsa
              ? info.parsePrivateKey()
              : new ECPrivateKey(
                  256,
                  ECPrivateKey.getInstance(info.parsePrivateKey()).getKey(),
                  info.getPrivateKeyAlgorithm().getParameters());
      StringWriter out = new StringWriter();
      try (PemWriter writer = new PemWriter(out)) {
        writer.writeObject(
            new PemObject(
                rsa ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", key.toASN1Primitive().getEncoded()));
      }
      return out.toString();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
