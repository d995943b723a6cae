package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.reporter.ProxyTally;
import dev.fairlead.reporter.Rejection;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.Nack;
import dev.fairlead.xds.server.ProxyStatus;
import dev.fairlead.xds.translate.FleetConfig;
import dev.fairlead.xds.translate.Translation;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyTalliesTest {

  private static final String EDGE = "default/edge";
  private static final String BLUE = "Upstream default/blue";
  private static final String RED = "Upstream default/red";
  private static final String GATEWAY = "Gateway default/edge";
  private static final String ROUTE = "HTTPRoute default/web";

  /** The latest change of each type of the fleets' resources. */
  private static final Map<ResourceType, Long> LATEST =
      Map.of(
          ResourceType.CLUSTER,
          2L,
          ResourceType.ENDPOINT,
          7L,
          ResourceType.LISTENER,
          1L,
          ResourceType.ROUTE,
          1L);

  private final Translation translation =
      new Translation(
          Map.of(
              EDGE,
              new FleetConfig(
                  List.of(cluster("upstream/default/blue")),
                  List.of(
                      ClusterLoadAssignment.newBuilder()
                          .setClusterName("upstream/default/blue")
                          .build()),
                  List.of(Listener.newBuilder().setName("http-80").build()),
                  List.of(RouteConfiguration.newBuilder().setName("http-80").build()),
                  List.of()),
              "default/quiet",
              new FleetConfig(
                  List.of(cluster("upstream/default/red")),
                  List.of(),
                  List.of(),
                  List.of(),
                  List.of())),
          List.of(),
          Map.of(
              EDGE,
              Map.of("upstream/default/blue", Set.of(BLUE), "http-80", Set.of(GATEWAY, ROUTE)),
              "default/quiet",
              Map.of("upstream/default/red", Set.of(RED))),
          Map.of(),
          Map.of());
  private final ProxyTallies.LatestChanges latest =
      (fleet, type) -> Optional.ofNullable(LATEST.get(type));

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  /** A proxy that holds everything it asks for of each type as of {@code upToDate}. */
  private static ProxyStatus proxy(
      long stream,
      String node,
      Map<ResourceType, Long> upToDate,
      Map<ResourceType, Nack> rejections) {
    return new ProxyStatus(
        stream,
        node,
        EDGE,
        true,
        Audience.ENVOY,
        Map.of(),
        Map.of(),
        rejections,
        Map.of(),
        upToDate);
  }

  private ReplicaProxies tally(String replica, List<ProxyStatus> proxies) {
    return ProxyTallies.of(
        replica, translation, ProxyTallies.objectTypes(translation), proxies, latest);
  }

  @Test
  void eachObjectCountsTheProxiesItGoesToThoseHoldingItsCurrentVersionsAndThoseRejectingIt() {
    Nack listenerNack =
        new Nack(
            "edge-3",
            EDGE,
            ResourceType.LISTENER,
            "l1",
            List.of("http-80"),
            "listener http-80: cannot bind");
    ReplicaProxies record =
        tally(
            "fairlead-a",
            List.of(
                proxy(1, "edge-1", LATEST, Map.of()),
                proxy(
                    2,
                    "edge-2",
                    Map.of(
                        ResourceType.CLUSTER,
                        1L,
                        ResourceType.LISTENER,
                        1L,
                        ResourceType.ROUTE,
                        1L),
                    Map.of()),
                proxy(
                    3,
                    "edge-3",
                    Map.of(
                        ResourceType.CLUSTER,
                        2L,
                        ResourceType.ENDPOINT,
                        7L,
                        ResourceType.LISTENER,
                        1L,
                        ResourceType.ROUTE,
                        1L),
                    Map.of(ResourceType.LISTENER, listenerNack))));

    assertThat(record.tallies())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                BLUE, new ProxyTally(3, 2, 0),
                GATEWAY, new ProxyTally(3, 2, 1),
                ROUTE, new ProxyTally(3, 2, 1),
                RED, ProxyTally.NONE));
    assertThat(record.messages())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                GATEWAY, "listener http-80: cannot bind", ROUTE, "listener http-80: cannot bind"));
    assertThat(record.proxies())
        .extracting(row -> row.path("replica").asText() + " " + row.path("nodeId").asText())
        .containsExactly("fairlead-a edge-1", "fairlead-a edge-2", "fairlead-a edge-3");
  }

  /**
   * The soak's shape: Envoy asks for every cluster's endpoints, the simulated proxies for blue's
   * alone. When other clusters' endpoints change, only Envoy is sent a response, so the simulated
   * proxies keep the version of the whole set they acknowledged before; they hold blue's current
   * configuration all the same. A proxy whose response is outstanding does not, whatever version it
   * acknowledged.
   */
  @Test
  void aProxyHoldsTheCurrentConfigurationOfWhatItAsksForWhateverVersionItLastAcknowledged() {
    Map<ResourceType, String> envoyAcked =
        Map.of(ResourceType.CLUSTER, "2-c", ResourceType.ENDPOINT, "9-e7");
    Map<ResourceType, String> subsetAcked =
        Map.of(ResourceType.CLUSTER, "2-c", ResourceType.ENDPOINT, "9-e5");
    ReplicaProxies record =
        tally(
            "fairlead-a",
            List.of(
                status(1, "envoy", Audience.ENVOY, envoyAcked, LATEST),
                status(2, "simulated-1", Audience.ENVOY, subsetAcked, LATEST),
                status(3, "simulated-2", Audience.ENVOY, subsetAcked, LATEST),
                status(4, "grpc", Audience.XDS_CLIENT, subsetAcked, LATEST),
                status(
                    5,
                    "simulated-3",
                    Audience.ENVOY,
                    envoyAcked,
                    Map.of(ResourceType.CLUSTER, 2L))));

    assertThat(record.tallies().get(BLUE)).isEqualTo(new ProxyTally(5, 4, 0));
  }

  private static ProxyStatus status(
      long stream,
      String node,
      Audience audience,
      Map<ResourceType, String> acked,
      Map<ResourceType, Long> upToDate) {
    return new ProxyStatus(
        stream, node, EDGE, false, audience, acked, acked, Map.of(), Map.of(), upToDate);
  }

  @Test
  void proxiesInTheSameStateCountOnceEachAndAProxyWithoutAFleetOfTheTranslationCountsNowhere() {
    ProxyStatus stray =
        new ProxyStatus(
            9,
            "stray",
            "default/none",
            false,
            Audience.XDS_CLIENT,
            Map.of(),
            Map.of(),
            Map.of(),
            Map.of(),
            LATEST);
    ReplicaProxies record =
        tally(
            "fairlead-a",
            List.of(proxy(1, "a", LATEST, Map.of()), proxy(2, "b", LATEST, Map.of()), stray));

    assertThat(record.tallies().get(BLUE)).isEqualTo(new ProxyTally(2, 2, 0));
    assertThat(record.proxies()).hasSize(3);
  }

  @Test
  void theFleetViewAddsUpTheReplicasAndTheirRejectionsAndItsRecordsSurviveTheirJsonForm()
      throws Exception {
    Nack clusterNack =
        new Nack(
            "edge-9",
            EDGE,
            ResourceType.CLUSTER,
            "c2",
            List.of("upstream/default/blue"),
            "cluster upstream/default/blue: bad");
    ReplicaProxies a = tally("fairlead-a", List.of(proxy(1, "edge-1", LATEST, Map.of())));
    ReplicaProxies b =
        tally(
            "fairlead-b",
            List.of(
                proxy(
                    1,
                    "edge-9",
                    Map.of(
                        ResourceType.CLUSTER,
                        1L,
                        ResourceType.LISTENER,
                        1L,
                        ResourceType.ROUTE,
                        1L),
                    Map.of(ResourceType.CLUSTER, clusterNack))));
    ReplicaProxies bRead =
        ReplicaProxies.fromJson(
            new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(b.toJson())));
    assertThat(bRead.toJson().toString()).isEqualTo(b.toJson().toString());

    FleetView view = FleetView.of(a, List.of(bRead, tally("fairlead-a", List.of())));

    assertThat(view.tallies().get(BLUE)).isEqualTo(new ProxyTally(2, 1, 1));
    assertThat(view.tallies().get(GATEWAY)).isEqualTo(new ProxyTally(2, 2, 0));
    assertThat(view.rejections())
        .containsExactly(Map.entry(BLUE, new Rejection("cluster upstream/default/blue: bad", 1)));
    assertThat(view.rows())
        .extracting(row -> row.path("nodeId").asText() + "@" + row.path("replica").asText())
        .containsExactly("edge-1@fairlead-a", "edge-9@fairlead-b");
  }

  @Test
  void aRecordThatIsNotOneSaysWhatIsMissing() throws Exception {
    ObjectMapper json = new ObjectMapper();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ReplicaProxies.fromJson(json.readTree("{}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replica");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ReplicaProxies.fromJson(json.readTree("{\"replica\": \"x\", \"objects\": []}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("objects");
  }
}
