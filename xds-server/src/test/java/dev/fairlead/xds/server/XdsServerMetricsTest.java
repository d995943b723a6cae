package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static dev.fairlead.xds.server.XdsTestResources.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.rpc.Status;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The xDS meters and the per-proxy bookkeeping behind /debug/proxies, over real gRPC streams on
 * 127.0.0.1.
 */
class XdsServerMetricsTest {

  private static final String FLEET = "default/edge";
  private static final String CDS = ResourceType.CLUSTER.typeUrl();
  private static final String EDS = ResourceType.ENDPOINT.typeUrl();
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final Duration BOUND = Duration.ofSeconds(10);

  @RegisterExtension
  final TestXdsServer server = new TestXdsServer(Clock.fixed(NOW, ZoneOffset.UTC));

  private SimpleMeterRegistry registry;
  private StreamRegistry streams;
  private XdsCache cache;

  @BeforeEach
  void start() {
    registry = server.registry();
    streams = server.streams();
    cache = server.cache();
  }

  @Test
  void openStreamsAndPushesAreCountedByTypeAndMode() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient sotw = new AdsTestClient(server.port());
        AdsTestClient delta = new AdsTestClient(server.port())) {
      sotw.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      sotw.next();
      delta.send(
          DeltaDiscoveryRequest.newBuilder().setNode(node("n2", FLEET)).setTypeUrl(CDS).build());
      delta.nextDelta();

      assertThat(streams("CDS", "sotw")).isEqualTo(1);
      assertThat(streams("CDS", "delta")).isEqualTo(1);
      assertThat(streams("EDS", "sotw")).isZero();
      assertThat(pushes("CDS", "sotw")).isEqualTo(1);
      assertThat(pushes("CDS", "delta")).isEqualTo(1);
    }
    await()
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(streams("CDS", "sotw")).isZero();
              assertThat(streams("CDS", "delta")).isZero();
            });
  }

  @Test
  void aChangeIsTimedFromItsPublicationToTheProxysAckOfTheVersionCarryingIt() throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(
            ResourceType.CLUSTER,
            List.of(cluster("a", 1)),
            ResourceType.ENDPOINT,
            List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(EDS)
              .addResourceNames("a")
              .build());
      DiscoveryResponse initial = envoy.next();
      envoy.send(ack(initial, "a"));
      await()
          .atMost(BOUND)
          .until(() -> streams.proxies().get(0).acked(ResourceType.ENDPOINT).isPresent());
      assertThat(convergenceCount("EDS")).as("the initial configuration is no change").isZero();

      // Cluster b's endpoints change: n1 asked only for a, so it holds what it should; no sample
      // for it.
      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 1), endpoints("b", 2))));
      // Cluster a's endpoints change, observed two seconds ago.
      long observed = System.nanoTime() - TimeUnit.SECONDS.toNanos(2);
      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 2), endpoints("b", 2))),
          observed);
      DiscoveryResponse changed = envoy.next();
      assertThat(streams.proxies().get(0).sent(ResourceType.ENDPOINT))
          .hasValue(changed.getVersionInfo());
      assertThat(streams.proxies().get(0).acked(ResourceType.ENDPOINT))
          .hasValue(initial.getVersionInfo());
      envoy.send(ack(changed, "a"));

      await().atMost(BOUND).until(() -> convergenceCount("EDS") == 1);
      assertThat(
              registry
                  .get("fairlead.xds.convergence")
                  .tag("type", "EDS")
                  .timer()
                  .totalTime(TimeUnit.SECONDS))
          .isBetween(2.0, 2.0 + BOUND.toSeconds());
      assertThat(streams.proxies().get(0).acked(ResourceType.ENDPOINT))
          .hasValue(changed.getVersionInfo());
      assertThat(convergenceCount("CDS")).isZero();
    }
  }

  @Test
  void aDeltaProxysAckOfAChangeIsTimedToo() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DeltaDiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DeltaDiscoveryResponse initial = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setResponseNonce(initial.getNonce())
              .build());
      await()
          .atMost(BOUND)
          .until(() -> streams.proxies().get(0).acked(ResourceType.CLUSTER).isPresent());

      cache.setFleet(
          FLEET,
          Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))),
          System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
      DeltaDiscoveryResponse changed = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setResponseNonce(changed.getNonce())
              .build());

      await().atMost(BOUND).until(() -> convergenceCount("CDS") == 1);
      assertThat(
              registry
                  .get("fairlead.xds.convergence")
                  .tag("type", "CDS")
                  .timer()
                  .totalTime(TimeUnit.SECONDS))
          .isGreaterThanOrEqualTo(1.0);
      assertThat(streams.proxies())
          .singleElement()
          .satisfies(
              proxy -> {
                assertThat(proxy.delta()).isTrue();
                assertThat(proxy.acked(ResourceType.CLUSTER))
                    .hasValue(changed.getSystemVersionInfo());
                assertThat(proxy.sent(ResourceType.CLUSTER))
                    .hasValue(changed.getSystemVersionInfo());
              });
    }
  }

  @Test
  void aNackIsCountedAndKeptWithItsMessageAndTimeAfterItClears() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DiscoveryResponse accepted = envoy.next();
      envoy.send(ack(accepted));
      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
      DiscoveryResponse rejected = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setVersionInfo(accepted.getVersionInfo())
              .setResponseNonce(rejected.getNonce())
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster a: bad timeout"))
              .build());

      await().atMost(BOUND).until(() -> nacks("CDS") == 1);
      assertThat(streams.proxies())
          .singleElement()
          .satisfies(
              proxy -> {
                assertThat(proxy.acked(ResourceType.CLUSTER)).hasValue(accepted.getVersionInfo());
                assertThat(proxy.sent(ResourceType.CLUSTER)).hasValue(rejected.getVersionInfo());
                assertThat(proxy.rejections()).containsKey(ResourceType.CLUSTER);
                assertThat(proxy.lastNacks().get(ResourceType.CLUSTER).at()).isEqualTo(NOW);
                assertThat(proxy.lastNacks().get(ResourceType.CLUSTER).nack().message())
                    .isEqualTo("cluster a: bad timeout");
              });

      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 3))));
      envoy.send(ack(envoy.next()));
      await().atMost(BOUND).until(() -> streams.currentNacks().isEmpty());
      assertThat(streams.proxies().get(0).lastNacks())
          .as("the last NACK outlives its clearing")
          .containsKey(ResourceType.CLUSTER);
      assertThat(nacks("EDS")).isZero();
    }
  }

  /**
   * The soak's simulated proxies: each asks for the endpoints of one cluster among many, and
   * acknowledges each response. When only other clusters' endpoints change it is sent nothing and
   * keeps the version it acknowledged (the version of the fleet's whole set as it was), yet it
   * holds the current configuration of what it asks for.
   */
  @Test
  void
      aProxyAskingForSomeEndpointsIsUpToDateWhileOnlyOthersChangeAndNotWhileAResponseIsOutstanding()
          throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(
            ResourceType.CLUSTER,
            List.of(cluster("a", 1), cluster("b", 1)),
            ResourceType.ENDPOINT,
            List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient proxy = new AdsTestClient(server.port())) {
      proxy.send(
          DiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(EDS)
              .addResourceNames("a")
              .build());
      DiscoveryResponse initial = proxy.next();
      proxy.send(ack(initial, "a"));
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));

      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1), cluster("b", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 1), endpoints("b", 2))));
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));
      assertThat(streams.proxies().get(0).acked(ResourceType.ENDPOINT))
          .as("the version of the set before b changed")
          .hasValue(initial.getVersionInfo())
          .isNotEqualTo(cache.version(FLEET, ResourceType.ENDPOINT));

      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1), cluster("b", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 2), endpoints("b", 2))));
      DiscoveryResponse changed = proxy.next();
      assertThat(upToDate(ResourceType.ENDPOINT))
          .as("until it acknowledges a's new endpoints")
          .isFalse();
      proxy.send(ack(changed, "a"));
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));
    }
  }

  @Test
  void aDeltaProxyAskingForSomeEndpointsIsUpToDateWhileOnlyOthersChange() throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(
            ResourceType.CLUSTER,
            List.of(cluster("a", 1), cluster("b", 1)),
            ResourceType.ENDPOINT,
            List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient proxy = new AdsTestClient(server.port())) {
      proxy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(EDS)
              .addResourceNamesSubscribe("a")
              .build());
      DeltaDiscoveryResponse initial = proxy.nextDelta();
      assertThat(upToDate(ResourceType.ENDPOINT)).as("until it acknowledges").isFalse();
      proxy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(initial.getNonce())
              .build());
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));

      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1), cluster("b", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 1), endpoints("b", 2))));
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));
      assertThat(streams.proxies().get(0).acked(ResourceType.ENDPOINT))
          .hasValue(initial.getSystemVersionInfo())
          .isNotEqualTo(cache.version(FLEET, ResourceType.ENDPOINT));

      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.CLUSTER,
              List.of(cluster("a", 1), cluster("b", 1)),
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 2), endpoints("b", 2))));
      DeltaDiscoveryResponse changed = proxy.nextDelta();
      assertThat(changed.getResourcesList()).extracting(r -> r.getName()).containsExactly("a");
      assertThat(upToDate(ResourceType.ENDPOINT))
          .as("until it acknowledges a's new endpoints")
          .isFalse();
      proxy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(changed.getNonce())
              .build());
      await().atMost(BOUND).until(() -> upToDate(ResourceType.ENDPOINT));
    }
  }

  /**
   * Whether the one proxy holds everything it asks for of {@code type} as of the fleet's latest
   * change.
   */
  private boolean upToDate(ResourceType type) {
    List<ProxyStatus> proxies = streams.proxies();
    return proxies.size() == 1
        && proxies.get(0).upToDateAsOf().containsKey(type)
        && cache
            .latestChange(FLEET, type)
            .equals(Optional.of(proxies.get(0).upToDateAsOf().get(type)));
  }

  private double streams(String type, String mode) {
    return registry.get("fairlead.xds.streams").tag("type", type).tag("mode", mode).gauge().value();
  }

  private double pushes(String type, String mode) {
    return registry
        .get("fairlead.xds.pushes")
        .tag("type", type)
        .tag("mode", mode)
        .counter()
        .count();
  }

  private double nacks(String type) {
    return registry.get("fairlead.xds.nacks").tag("type", type).counter().count();
  }

  private long convergenceCount(String type) {
    return registry.get("fairlead.xds.convergence").tag("type", type).timer().count();
  }

  private static DiscoveryRequest ack(DiscoveryResponse response, String... names) {
    return DiscoveryRequest.newBuilder()
        .setTypeUrl(response.getTypeUrl())
        .addAllResourceNames(List.of(names))
        .setVersionInfo(response.getVersionInfo())
        .setResponseNonce(response.getNonce())
        .build();
  }

  private static ClusterLoadAssignment endpoints(String name, int weight) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(name)
        .setPolicy(
            ClusterLoadAssignment.Policy.newBuilder()
                .setOverprovisioningFactor(com.google.protobuf.UInt32Value.of(100 + weight)))
        .build();
  }
}
