package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Fairlead replicas, each its own process from the shaded jar, against a real API server: they
 * elect a leader with a Lease; the leader is killed with SIGKILL (so it releases nothing); the
 * survivor takes the Lease once it expires and then does the writes — discovery creates the
 * Upstream of a Service added after the kill, and the status of an HTTPRoute added after the kill
 * is written — while the Envoy connected to the survivor keeps its one xDS connection and receives
 * the new route. On the way, it checks that log lines about an object carry it, in the text format
 * and in JSON.
 */
class LeaderElectionFailoverIT {

  private static final String NAMESPACE = "default";
  private static final Duration LEASE_DURATION = Duration.ofSeconds(4);
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final Pattern XDS_CONNECTIONS =
      Pattern.compile("cluster\\.ads_cluster\\.upstream_cx_total: (\\d+)");

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension static final Envoys ENVOYS = new Envoys();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<FairleadProcess> replicas = new ArrayList<>();

  @BeforeAll
  static void installCrdsAndGateway() throws Exception {
    E2eObjects.installCrds(API_SERVER);
    apply(E2eObjects.gateway("edge", LoopbackPorts.free()));
  }

  @AfterEach
  void stopReplicas() throws InterruptedException {
    for (FairleadProcess replica : replicas) {
      replica.close();
    }
  }

  @Test
  void whenTheLeaderIsKilledTheOtherTakesOverTheWritesAndItsProxiesKeepTheirStream()
      throws Exception {
    Map<String, Integer> xdsPorts =
        Map.of("fairlead-a", LoopbackPorts.free(), "fairlead-b", LoopbackPorts.free());
    xdsPorts.forEach((identity, port) -> replicas.add(replica(identity, port)));
    for (FairleadProcess replica : replicas) {
      replica.awaitLog("Standing for leader as " + replica.name(), BOUND);
    }
    await("one replica holds the Lease")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> holder().isPresent());
    FairleadProcess leader =
        replicas.stream()
            .filter(r -> r.name().equals(holder().orElseThrow()))
            .findFirst()
            .orElseThrow();
    FairleadProcess survivor = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
    leader.awaitLog(leader.name() + " is now the leader", BOUND);

    apply(service("before"));
    apply(route("before"));
    apply(route("nowhere"));
    String nowhereUid =
        API_SERVER
            .client()
            .resources(HTTPRoute.class)
            .inNamespace(NAMESPACE)
            .withName("nowhere")
            .get()
            .getMetadata()
            .getUid();
    for (FairleadProcess replica : replicas) {
      // JSON escapes the slash: "default\/nowhere".
      replica.awaitLog(
          replica.name().equals("fairlead-b")
              ? "\"name\":\"nowhere\""
              : "HTTPRoute default/nowhere",
          BOUND);
    }
    assertObjectInLogLines(nowhereUid);
    await("the leader writes: discovery and status")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> routeAccepted("before") && upstreamAccepted("before-http"));
    assertThat(survivor.log())
        .as("the follower writes nothing")
        .doesNotContain(" is now the leader");

    EnvoyProcess envoy =
        ENVOYS
            .start(
                EnvoyBootstrap.ads(xdsPorts.get(survivor.name()), AdsMode.DELTA)
                    .withNode("edge-1", NAMESPACE + "/edge"))
            .awaitReady(BOUND);
    await("the survivor's Envoy has the route")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> envoy.configDump().contains("default/before/rules/0"));
    long connections = xdsConnections(envoy);

    long killed = System.nanoTime();
    leader.kill();
    apply(service("after"));
    apply(route("after"));

    await("the survivor takes the Lease")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> holder().equals(Optional.of(survivor.name())));
    long takeoverMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    await("the new leader discovers the Service added after the kill and writes every status")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () ->
                upstreamAccepted("after-http")
                    && routeAccepted("after")
                    && routeAccepted("before"));
    long writesMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
    await("the survivor's Envoy receives the new route over the same stream")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> envoy.configDump().contains("default/after/rules/0"));

    assertThat(xdsConnections(envoy))
        .as("xDS connections the Envoy opened to the survivor")
        .isEqualTo(connections);
    assertThat(envoy.admin("/stats?filter=control_plane.connected_state").body())
        .contains("control_plane.connected_state: 1");
    assertThat(survivor.log())
        .contains(survivor.name() + " is now the leader")
        .doesNotContain(" ERROR ")
        .doesNotContain("\"level\":\"ERROR\"");
    assertThat(takeoverMillis)
        .as(
            "Lease taken over within the lease duration plus a renew period and scheduling "
                + "slack")
        .isLessThan(LEASE_DURATION.toMillis() * 3);
    System.out.printf(
        "FAILOVER leader killed -> survivor holds the Lease: %d ms; -> all writes done: %d ms "
            + "(lease duration %d s)%n",
        takeoverMillis, writesMillis, LEASE_DURATION.toSeconds());
  }

  /**
   * The warning about a route whose backend never exists, as each replica logged it, carries the
   * route: in the text log of fairlead-a as {@code [HTTPRoute default/nowhere <uid>]}, in the JSON
   * log of fairlead-b in its mdc.
   */
  private void assertObjectInLogLines(String uid) throws Exception {
    FairleadProcess text =
        replicas.stream().filter(r -> r.name().equals("fairlead-a")).findFirst().orElseThrow();
    FairleadProcess json =
        replicas.stream().filter(r -> r.name().equals("fairlead-b")).findFirst().orElseThrow();
    assertThat(
            text.log()
                .lines()
                .filter(
                    line -> line.contains("HTTPRoute default/nowhere") && line.contains("WARN")))
        .isNotEmpty()
        .allSatisfy(line -> assertThat(line).contains("[HTTPRoute default/nowhere " + uid + "]"));
    List<String> lines =
        json.log().lines().filter(line -> line.contains("\"name\":\"nowhere\"")).toList();
    assertThat(lines).isNotEmpty();
    for (String line : lines) {
      JsonNode entry = JSON.readTree(line);
      assertThat(entry.path("level").asText()).isEqualTo("WARN");
      assertThat(entry.path("mdc").path("kind").asText()).isEqualTo("HTTPRoute");
      assertThat(entry.path("mdc").path("namespace").asText()).isEqualTo(NAMESPACE);
      assertThat(entry.path("mdc").path("name").asText()).isEqualTo("nowhere");
      assertThat(entry.path("mdc").path("uid").asText()).isEqualTo(uid);
    }
  }

  private FairleadProcess replica(String identity, int xdsPort) {
    return FairleadProcess.start(
        identity,
        List.of(
            "--log-format",
            identity.equals("fairlead-b") ? "json" : "text",
            "--xds-plaintext",
            "--allocator-plaintext",
            "--admin-port",
            "0",
            "--kubeconfig",
            API_SERVER.kubeconfig().toString(),
            "--watch-labels",
            "fairlead.dev/e2e=failover",
            "--xds-port",
            Integer.toString(xdsPort),
            "--allocator-grpc-port",
            Integer.toString(LoopbackPorts.free()),
            "--allocator-http-port",
            Integer.toString(LoopbackPorts.free()),
            "--leader-election-namespace",
            NAMESPACE,
            "--leader-election-identity",
            identity,
            "--leader-election-lease-duration",
            LEASE_DURATION.toSeconds() + "s"));
  }

  private static Optional<String> holder() {
    return FairleadProcess.leaseHolder(API_SERVER);
  }

  private static long xdsConnections(EnvoyProcess envoy) {
    Matcher matcher =
        XDS_CONNECTIONS.matcher(envoy.admin("/stats?filter=ads_cluster.upstream_cx_total").body());
    assertThat(matcher.find()).as("Envoy's ads_cluster connection counter").isTrue();
    return Long.parseLong(matcher.group(1));
  }

  private static boolean upstreamAccepted(String name) {
    Upstream upstream =
        API_SERVER.client().resources(Upstream.class).inNamespace(NAMESPACE).withName(name).get();
    return upstream != null
        && upstream.getStatus() != null
        && upstream.getStatus().conditions().stream()
            .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
  }

  private static boolean routeAccepted(String name) {
    HTTPRoute route =
        API_SERVER.client().resources(HTTPRoute.class).inNamespace(NAMESPACE).withName(name).get();
    return route != null
        && route.getStatus() != null
        && route.getStatus().getParents().stream()
            .flatMap(parent -> parent.getConditions().stream())
            .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
  }

  private static String service(String name) {
    return """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: default
          labels: {fairlead.dev/e2e: failover}
        spec:
          ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
        """
        .formatted(name);
  }

  private static String route(String name) {
    return E2eObjects.route(name, "/" + name, name + "-http");
  }

  private static void apply(String yaml) {
    API_SERVER.apply(yaml);
  }
}
