package dev.fairlead.provisioner;

import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.testkit.EnvoyValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap a managed fleet's Envoys start from passes {@code envoy --mode validate} of the
 * real Envoy, without a deprecation warning, with the node id on the command line as the pod passes
 * it: in plaintext, and with mutual TLS and a client certificate Fairlead's CA issued (Envoy reads
 * the certificate, key and CA files when it validates, so they sit in a directory of the test in
 * place of the pod's mount).
 */
class ProxyBootstrapEnvoyValidateIT {

  @Test
  void envoyAcceptsTheBootstrap() throws IOException, InterruptedException {
    Path bootstrap =
        Files.createDirectories(Path.of("target", "envoy-validate")).resolve("bootstrap.yaml");
    Files.writeString(bootstrap, ProxyBootstrap.yaml("shop/edge", ManagedProxyGoldenTest.OPTIONS));

    EnvoyValidation.assertValid(bootstrap, "--service-node", "fairlead-edge-0");
  }

  @Test
  void envoyAcceptsTheMutualTlsBootstrapWithItsCertificate()
      throws IOException, InterruptedException {
    Path dir =
        Files.createDirectories(Path.of("target", "envoy-validate", "mutual-tls")).toAbsolutePath();
    ProxyCertificateAuthority ca = ManagedProxyGoldenTest.MUTUAL_TLS.ca().orElseThrow();
    ProxyCertificateAuthority.Issued issued =
        ca.issueClient(new ProxyIdentity("shop", "edge"), Instant.now());
    Files.writeString(
        dir.resolve(ClientCertificateSecret.CERTIFICATE_KEY), issued.certificatePem());
    Files.writeString(dir.resolve(ClientCertificateSecret.KEY_KEY), issued.keyPem());
    Files.writeString(dir.resolve(ClientCertificateSecret.CA_KEY), ca.ca().certificatePem());
    Path bootstrap = dir.resolve("bootstrap.yaml");
    Files.writeString(
        bootstrap,
        ProxyBootstrap.yaml("shop/edge", ManagedProxyGoldenTest.MUTUAL_TLS)
            .replace(ProxyBootstrap.CLIENT_CERTIFICATE_DIR + "/", dir + "/"));

    EnvoyValidation.assertValid(bootstrap, "--service-node", "fairlead-edge-0");
  }
}
