package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.app.AllocatorCredentialsOptions;
import dev.fairlead.app.AllocatorOptions;
import dev.fairlead.app.KubernetesFairlead;
import dev.fairlead.app.KubernetesOptions;
import dev.fairlead.app.XdsCaOptions;
import dev.fairlead.provisioner.ProvisionerOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import dev.fairlead.xds.server.ProxyAuthorization;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fairlead's own CA end to end, without a node: Fairlead in Kubernetes mode with its own xDS CA
 * ({@link XdsCaOptions}) and allocation API credentials ({@link AllocatorCredentialsOptions}) — the
 * chart's defaults — and the provisioner, against a real kube-apiserver, serving real Envoys over
 * mutual TLS. An Envoy presenting the client certificate the provisioner issued Gateway {@code
 * edge}'s fleet (read from the fleet's Secret, as the pods mount it) gets {@code edge}'s
 * configuration; one presenting Gateway {@code other}'s certificate while asking for {@code edge}
 * is refused with a log line saying why and gets nothing. The allocation API answers over TLS,
 * trusted through the credentials Secret's {@code ca.crt}, only requests carrying that Secret's
 * token.
 */
class OwnCaEnvoyIT {

  private static final Duration BOUND = Duration.ofSeconds(60);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final Envoys envoys = new Envoys();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static KubernetesClient client;
  private static KubernetesFairlead fairlead;
  private static String ns;
  private static AllocatorCredentialsOptions CREDENTIALS;

  @BeforeAll
  static void startFairleadWithItsCa() throws IOException {
    E2eObjects.installCrds(API_SERVER);
    ns = API_SERVER.createNamespace("identity");
    for (String gateway : List.of("edge", "other")) {
      API_SERVER.apply(
          """
          apiVersion: gateway.networking.k8s.io/v1
          kind: Gateway
          metadata: {name: %s, namespace: %s}
          spec:
            gatewayClassName: fairlead
            listeners:
            - {name: http, protocol: HTTP, port: 8080}
          """
              .formatted(gateway, ns));
    }
    Path tls = Files.createTempDirectory("xds-tls");
    XdsCaOptions ca =
        new XdsCaOptions(
            "fairlead-xds-ca",
            List.of("127.0.0.1"),
            TlsFiles.of(
                tls.resolve("tls.crt"),
                tls.resolve("tls.key"),
                Optional.of(tls.resolve("ca.crt"))));
    client = API_SERVER.newClient();
    CREDENTIALS =
        new AllocatorCredentialsOptions(
            "fairlead-allocator-credentials",
            List.of("127.0.0.1"),
            Files.createTempDirectory("allocator"));
    fairlead =
        KubernetesFairlead.start(
            new KubernetesOptions(
                    "127.0.0.1",
                    0,
                    ServerTransport.plaintext(),
                    "127.0.0.1",
                    Set.of(),
                    Map.of(),
                    Map.of(),
                    false,
                    new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)),
                    AllocatorOptions.loopback(CREDENTIALS.security()))
                .withProvisioner(
                    Optional.of(
                        new ProvisionerOptions(
                            ProvisionerOptions.DEFAULT_IMAGE, "127.0.0.1", 18000)))
                .withXdsProxyIdentity(ProxyAuthorization.Mode.REQUIRED)
                .withXdsCa(ca.withAllocator(CREDENTIALS)),
            client,
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void anEnvoyWithItsFleetsCertificateGetsItsGatewaysConfiguration() throws IOException {
    Path certificate = fleetCertificate("edge");

    EnvoyProcess envoy =
        envoys
            .start(
                EnvoyBootstrap.ads(fairlead.controlPlane().xdsPort(), AdsMode.DELTA)
                    .withNode("edge-1", ns + "/edge")
                    .withXdsTls(
                        certificate.resolve("ca.crt"),
                        certificate.resolve("tls.crt"),
                        certificate.resolve("tls.key")))
            .awaitReady(BOUND);

    assertThat(envoy.configDump()).contains("\"port_value\": 8080");
  }

  @Test
  void anEnvoyWithAnotherGatewaysCertificateAskingForThisOneIsRefused() throws IOException {
    Path certificate = fleetCertificate("other");

    EnvoyProcess impostor =
        envoys.start(
            EnvoyBootstrap.ads(fairlead.controlPlane().xdsPort(), AdsMode.DELTA)
                .withNode("impostor-1", ns + "/edge")
                .withXdsTls(
                    certificate.resolve("ca.crt"),
                    certificate.resolve("tls.crt"),
                    certificate.resolve("tls.key")));

    await("the stream is refused, saying why")
        .atMost(BOUND)
        .until(
            () ->
                logs.lines().stream()
                    .anyMatch(
                        line ->
                            line.contains(
                                "asking for node.cluster '"
                                    + ns
                                    + "/edge' refused: PERMISSION_DENIED the client certificate's "
                                    + "proxy identity allows node.cluster "
                                    + ns
                                    + "/other only")));
    assertThat(impostor.isReady()).as("the impostor holds no configuration").isFalse();
    assertThat(impostor.configDump()).doesNotContain("\"port_value\": 8080");
  }

  @Test
  void theAllocationApiServesTlsOfTheCaToRequestsCarryingTheGeneratedToken() throws Exception {
    Secret credentials =
        client.secrets().inNamespace("default").withName("fairlead-allocator-credentials").get();
    String token =
        new String(
            Base64.getDecoder().decode(credentials.getData().get("token")),
            StandardCharsets.US_ASCII);
    X509Certificate caCertificate =
        (X509Certificate)
            CertificateFactory.getInstance("X.509")
                .generateCertificate(
                    new ByteArrayInputStream(
                        Base64.getDecoder().decode(credentials.getData().get("ca.crt"))));
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("fairlead-ca", caCertificate);
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, trustManagers.getTrustManagers(), null);
    HttpClient https =
        HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
    URI list =
        URI.create(
            "https://127.0.0.1:"
                + fairlead.allocationHttpPort()
                + "/v1/namespaces/default/allocations?upstream=none-http");

    HttpResponse<String> withToken =
        https.send(
            HttpRequest.newBuilder(list).header("Authorization", "Bearer " + token).build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> withoutToken =
        https.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString());

    assertThat(withToken.statusCode())
        .as("authenticated, so answered about the upstream: %s", withToken.body())
        .isEqualTo(404);
    assertThat(withToken.body()).contains("UpstreamNotFound");
    assertThat(withoutToken.statusCode()).isEqualTo(401);
    assertThat(token).hasSizeGreaterThanOrEqualTo(40);
  }

  /**
   * The files of the client certificate the provisioner issued {@code gateway}'s fleet, once it
   * has.
   */
  private static Path fleetCertificate(String gateway) throws IOException {
    Secret secret =
        await("the provisioner issued " + gateway + "'s fleet its certificate")
            .atMost(BOUND)
            .until(
                () -> client.secrets().inNamespace(ns).withName("fairlead-" + gateway).get(),
                s -> s != null && s.getData() != null);
    Path dir = Files.createTempDirectory("fleet-" + gateway);
    for (String key : List.of("tls.crt", "tls.key", "ca.crt")) {
      Files.write(dir.resolve(key), Base64.getDecoder().decode(secret.getData().get(key)));
    }
    return dir;
  }
}
