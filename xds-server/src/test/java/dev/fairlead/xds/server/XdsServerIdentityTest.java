package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxy identities over real mutual TLS and gRPC: a client whose certificate names Gateway {@code
 * shop/edge} gets that fleet, and is refused with PERMISSION_DENIED when it claims {@code
 * shop/admin}'s {@code node.cluster}; a client of the CA without an identity is refused with
 * UNAUTHENTICATED where identities are required; each refusal is a WARN line, and a proxy on
 * another connection keeps getting its fleet's changes meanwhile.
 */
class XdsServerIdentityTest {

  private static final ProxyIdentity EDGE = new ProxyIdentity("shop", "edge");

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path dir;

  private final TestCa ca = TestCa.create("xds-identity-ca");
  private XdsCache cache;
  private StreamRegistry streams;
  private XdsServer server;

  @BeforeEach
  void fleets() {
    streams = new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
    cache = new XdsCache();
    cache.setFleet("shop/edge", Map.of(ResourceType.CLUSTER, List.of(cluster("edge-backend"))));
    cache.setFleet("shop/admin", Map.of(ResourceType.CLUSTER, List.of(cluster("admin-backend"))));
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  private void start(ProxyAuthorization.Mode mode) {
    ca.issue("xds").write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    ca.writeCertificate(dir.resolve("ca.crt"));
    server =
        XdsServer.start(
            "127.0.0.1",
            0,
            ServerTransport.tls(
                TlsFiles.of(
                    dir.resolve("tls.crt"),
                    dir.resolve("tls.key"),
                    Optional.of(dir.resolve("ca.crt")))),
            mode,
            cache,
            streams);
  }

  private AdsTestClient client(TestCertificate identity) {
    return new AdsTestClient(
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                server.port(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(ca.trustManager())
                    .keyManager(identity.keyManager())
                    .build())
            .build());
  }

  private static List<String> clusters(AdsTestClient client, String fleet) {
    client.send(
        DiscoveryRequest.newBuilder()
            .setNode(node("pod-1", fleet))
            .setTypeUrl(ResourceType.CLUSTER.typeUrl())
            .build());
    return XdsTestResources.names(client.next());
  }

  private static Status failure(Runnable call) {
    Throwable[] thrown = new Throwable[1];
    assertThatThrownBy(call::run).satisfies(e -> thrown[0] = e.getCause());
    return Status.fromThrowable(thrown[0]);
  }

  @Test
  void aProxyWithGatewayAsIdentityAskingAsGatewayBIsDeniedWhileItsOwnFleetIsServed()
      throws Exception {
    start(ProxyAuthorization.Mode.REQUIRED);
    TestCertificate edge = ca.issueWithUris("edge-envoy", List.of(EDGE.uri()));

    try (AdsTestClient honest = client(edge);
        AdsTestClient impostor = client(edge)) {
      honest.send(
          DiscoveryRequest.newBuilder()
              .setNode(node("pod-1", "shop/edge"))
              .setTypeUrl(ResourceType.CLUSTER.typeUrl())
              .build());
      DiscoveryResponse first = honest.next();
      assertThat(XdsTestResources.names(first)).containsExactly("edge-backend");

      Status refused = failure(() -> clusters(impostor, "shop/admin"));

      assertThat(refused.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(refused.getDescription())
          .contains("allows node.cluster shop/edge only")
          .contains("asks for 'shop/admin'")
          .doesNotContain("admin-backend");
      assertThat(logs.lines())
          .anyMatch(
              line ->
                  line.contains("WARN")
                      && line.contains("refused")
                      && line.contains("with identity " + EDGE.uri())
                      && line.contains("'shop/admin'")
                      && line.contains("PERMISSION_DENIED"));

      cache.setFleet(
          "shop/edge",
          Map.of(ResourceType.CLUSTER, List.of(cluster("edge-backend"), cluster("edge-2"))));
      honest.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(ResourceType.CLUSTER.typeUrl())
              .setResponseNonce(first.getNonce())
              .setVersionInfo(first.getVersionInfo())
              .build());
      assertThat(XdsTestResources.names(honest.next()))
          .containsExactlyInAnyOrder("edge-backend", "edge-2");
    }
    // The server forgets a stream once the client's cancellation reaches it, after close returns.
    await("the honest stream released")
        .atMost(Duration.ofSeconds(10))
        .until(() -> streams.proxies().isEmpty());
  }

  @Test
  void aDeltaStreamClaimingAnotherFleetIsDeniedToo() throws Exception {
    start(ProxyAuthorization.Mode.OPTIONAL);

    try (AdsTestClient impostor = client(ca.issueWithUris("edge-envoy", List.of(EDGE.uri())))) {
      Status refused =
          failure(
              () -> {
                impostor.send(
                    DeltaDiscoveryRequest.newBuilder()
                        .setNode(node("pod-1", "shop/admin"))
                        .setTypeUrl(ResourceType.CLUSTER.typeUrl())
                        .build());
                impostor.nextDelta();
              });

      assertThat(refused.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
  }

  @Test
  void aCertificateOfTheCaWithoutAnIdentityIsUnauthenticatedOnlyWhereIdentitiesAreRequired()
      throws Exception {
    start(ProxyAuthorization.Mode.REQUIRED);
    TestCertificate plain = ca.issue("unmanaged-envoy");

    try (AdsTestClient unmanaged = client(plain)) {
      Status refused = failure(() -> clusters(unmanaged, "shop/edge"));

      assertThat(refused.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(refused.getDescription()).contains("carries no Fairlead proxy identity");
    }
    server.close();
    server = null;

    start(ProxyAuthorization.Mode.OPTIONAL);
    try (AdsTestClient unmanaged = client(plain)) {
      assertThat(clusters(unmanaged, "shop/admin")).containsExactly("admin-backend");
    }
  }

  @Test
  void requiredIdentitiesNeedAServerThatRequiresClientCertificates() {
    assertThatThrownBy(
            () ->
                XdsServer.start(
                    "127.0.0.1",
                    0,
                    ServerTransport.plaintext(),
                    ProxyAuthorization.Mode.REQUIRED,
                    cache,
                    streams))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not require client certificates");
  }
}
