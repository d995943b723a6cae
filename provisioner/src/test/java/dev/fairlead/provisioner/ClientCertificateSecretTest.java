package dev.fairlead.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.params.ProxyIdentity;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClientCertificateSecretTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final ProxyIdentity EDGE = new ProxyIdentity("shop", "edge");
  private static final ObjectMeta METADATA =
      new ObjectMetaBuilder().withNamespace("shop").withName("fairlead-edge").build();

  private final ProxyCertificateAuthority ca = ProxyCertificateAuthority.create(NOW);
  private final Secret secret = ClientCertificateSecret.of(METADATA, ca.issueClient(EDGE, NOW), ca);

  @Test
  void aFreshCertificateOfTheCaForTheFleetIsKept() {
    assertThat(ClientCertificateSecret.reusable(secret, EDGE, ca, NOW)).isTrue();
    assertThat(
            ClientCertificateSecret.reusable(
                ClientCertificateSecret.kept(METADATA, secret), EDGE, ca, NOW))
        .isTrue();
    assertThat(secret.getType())
        .as("not a kubernetes.io/tls Secret, which the translator reads")
        .isEqualTo("Opaque");
  }

  @Test
  void anotherFleetsCertificateIsReplaced() {
    assertThat(
            ClientCertificateSecret.reusable(secret, new ProxyIdentity("shop", "other"), ca, NOW))
        .isFalse();
  }

  @Test
  void anotherCasCertificateIsReplaced() {
    ProxyCertificateAuthority replaced = ProxyCertificateAuthority.create(NOW);

    assertThat(ClientCertificateSecret.reusable(secret, EDGE, replaced, NOW)).isFalse();
  }

  @Test
  void aCertificateWithLessThanAThirdOfItsValidityLeftIsReplaced() {
    Duration validity = ProxyCertificateAuthority.LEAF_VALIDITY;

    assertThat(ClientCertificateSecret.reusable(secret, EDGE, ca, NOW.plus(validity.dividedBy(2))))
        .isTrue();
    assertThat(
            ClientCertificateSecret.reusable(
                secret, EDGE, ca, NOW.plus(validity.multipliedBy(3).dividedBy(4))))
        .isFalse();
  }

  @Test
  void handEditedOrIncompleteSecretsAreReplaced() {
    Secret otherKey =
        new SecretBuilder(secret)
            .addToData(
                ClientCertificateSecret.KEY_KEY,
                CaSecret.base64(ca.issueClient(EDGE, NOW).keyPem()))
            .build();
    Secret garbage =
        new SecretBuilder(secret)
            .addToData(ClientCertificateSecret.CERTIFICATE_KEY, "bm90IGEgY2VydA==")
            .build();
    Secret noCa = new SecretBuilder(secret).removeFromData(ClientCertificateSecret.CA_KEY).build();
    Secret empty = new SecretBuilder(secret).withData(null).build();

    assertThat(ClientCertificateSecret.reusable(otherKey, EDGE, ca, NOW))
        .as("key of another certificate")
        .isFalse();
    assertThat(ClientCertificateSecret.reusable(garbage, EDGE, ca, NOW))
        .as("no certificate")
        .isFalse();
    assertThat(ClientCertificateSecret.reusable(noCa, EDGE, ca, NOW)).as("no ca.crt").isFalse();
    assertThat(ClientCertificateSecret.reusable(empty, EDGE, ca, NOW)).as("no data").isFalse();
  }
}
