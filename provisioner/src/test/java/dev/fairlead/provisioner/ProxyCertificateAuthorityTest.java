package dev.fairlead.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.api.params.ProxyIdentity;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProxyCertificateAuthorityTest {

  private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final int URI = 6;
  private static final int DNS = 2;
  private static final int IP = 7;

  private final ProxyCertificateAuthority ca = ProxyCertificateAuthority.create(NOW);

  @Test
  void aClientCertificateCarriesItsGatewaysIdentityAndOnlyClientAuth() throws Exception {
    ProxyIdentity identity = new ProxyIdentity("shop", "edge");

    X509Certificate certificate = ca.issueClient(identity, NOW).certificate();

    assertThat(ca.signed(certificate)).isTrue();
    assertThat(certificate.getSubjectAlternativeNames())
        .containsExactly(List.of(URI, identity.uri()));
    assertThat(certificate.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    assertThat(certificate.getNotAfter().toInstant())
        .isEqualTo(NOW.plus(ProxyCertificateAuthority.LEAF_VALIDITY));
    assertThat(certificate.getNotBefore().toInstant()).isBefore(NOW);
  }

  @Test
  void aServerCertificateNamesHostsAndAddressesAndOnlyServerAuth() throws Exception {
    X509Certificate certificate =
        ca.issueServer(List.of("fairlead-xds.system.svc", "127.0.0.1"), NOW).certificate();

    assertThat(ca.signed(certificate)).isTrue();
    assertThat(certificate.getSubjectAlternativeNames())
        .containsExactly(List.of(DNS, "fairlead-xds.system.svc"), List.of(IP, "127.0.0.1"));
    assertThat(certificate.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThatThrownBy(() -> ca.issueServer(List.of(), NOW))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whatItIssuesNeverOutlivesTheCa() {
    Instant late =
        NOW.plus(ProxyCertificateAuthority.CA_VALIDITY)
            .minus(ProxyCertificateAuthority.LEAF_VALIDITY.dividedBy(2));

    X509Certificate certificate =
        ca.issueClient(new ProxyIdentity("shop", "edge"), late).certificate();

    assertThat(certificate.getNotAfter()).isEqualTo(ca.ca().certificate().getNotAfter());
  }

  @Test
  void theCaReadsBackFromItsPemAndIssuesTheSame() {
    ProxyCertificateAuthority read =
        ProxyCertificateAuthority.of(ca.ca().certificatePem(), ca.ca().keyPem());

    assertThat(read.ca().certificate()).isEqualTo(ca.ca().certificate());
    assertThat(ca.signed(read.issueClient(new ProxyIdentity("shop", "edge"), NOW).certificate()))
        .isTrue();
  }

  @Test
  void anotherCasCertificateIsNotSigned() {
    ProxyCertificateAuthority other = ProxyCertificateAuthority.create(NOW);

    assertThat(ca.signed(other.issueClient(new ProxyIdentity("shop", "edge"), NOW).certificate()))
        .isFalse();
  }

  @Test
  void unusablePemIsRefusedSayingWhichPartWithoutQuotingIt() {
    ProxyCertificateAuthority other = ProxyCertificateAuthority.create(NOW);
    String leaf = ca.issueClient(new ProxyIdentity("shop", "edge"), NOW).certificatePem();

    assertThatThrownBy(() -> ProxyCertificateAuthority.of("not a certificate", ca.ca().keyPem()))
        .hasMessage("the CA certificate is not a PEM X.509 certificate");
    assertThatThrownBy(() -> ProxyCertificateAuthority.of(leaf, ca.ca().keyPem()))
        .hasMessage("the CA certificate is not a CA (basicConstraints CA:false)");
    assertThatThrownBy(
            () ->
                ProxyCertificateAuthority.of(
                    ca.ca().certificatePem(), "-----BEGIN PRIVATE KEY-----"))
        .hasMessage("the CA key is not a PKCS#8 PEM EC private key");
    assertThatThrownBy(
            () -> ProxyCertificateAuthority.of(ca.ca().certificatePem(), other.ca().keyPem()))
        .hasMessage("the CA key does not match the CA certificate");
  }

  @Test
  void logLinesShowNoKeyMaterial() {
    ProxyCertificateAuthority.Issued issued =
        ca.issueClient(new ProxyIdentity("shop", "edge"), NOW);

    assertThat(issued.toString())
        .contains("serial " + issued.serial())
        .doesNotContain("PRIVATE")
        .doesNotContain(issued.keyPem().lines().skip(1).findFirst().orElseThrow());
  }
}
