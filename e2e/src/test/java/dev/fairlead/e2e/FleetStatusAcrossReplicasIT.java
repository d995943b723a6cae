package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamProxies;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Fairlead replicas, each its own process from the shaded jar, against a real API server, with
 * real Envoys connected to each: the leader, which alone writes status, counts the proxies of both.
 * An Upstream and the Gateway its route is on say "2 of 2 proxies hold its current configuration"
 * (and the Upstream's {@code status.proxies} says so in numbers) with one Envoy on each replica; a
 * listener that Envoys connected only to the follower reject (its port is taken) makes their
 * Gateway {@code Programmed=False} with Envoy's message, counted again once an Envoy on the leader
 * rejects it too; {@code fairlead proxy-status} asked of either replica lists every proxy with the
 * replica it is connected to; and once the follower is killed, its record stops counting after its
 * TTL, so the Upstream says "1 of 1".
 */
class FleetStatusAcrossReplicasIT {

  private static final String NAMESPACE = "default";
  private static final Duration LEASE_DURATION = Duration.ofSeconds(4);
  private static final Duration BOUND = Duration.ofSeconds(90);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension static final Envoys ENVOYS = new Envoys();

  private final List<Replica> replicas = new ArrayList<>();

  /** One replica: its process and the ports it serves xDS and its admin server on. */
  private record Replica(FairleadProcess process, int xdsPort, int adminPort) {
    String name() {
      return process.name();
    }
  }

  @BeforeAll
  static void installCrds() {
    E2eObjects.installCrds(API_SERVER);
  }

  @AfterEach
  void stopReplicas() throws InterruptedException {
    for (Replica replica : replicas) {
      replica.process().close();
    }
  }

  @Test
  void theLeaderCountsTheProxiesOfEveryReplicaAndADeadReplicasProxiesStopCounting()
      throws Exception {
    for (String identity : List.of("fairlead-a", "fairlead-b")) {
      replicas.add(replica(identity));
    }
    await("one replica holds the Lease")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> holder().isPresent());
    Replica leader =
        replicas.stream()
            .filter(r -> r.name().equals(holder().orElseThrow()))
            .findFirst()
            .orElseThrow();
    Replica follower = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
    leader.process().awaitLog(leader.name() + " is now the leader", BOUND);

    int backendPort = LoopbackPorts.free();
    API_SERVER.apply(E2eObjects.gateway("edge", LoopbackPorts.free()));
    API_SERVER.apply(E2eObjects.staticUpstream("blue", "HTTP1", backendPort));
    API_SERVER.apply(E2eObjects.route("web", "/", "blue"));
    EnvoyProcess onLeader =
        ENVOYS.start(
            EnvoyBootstrap.ads(leader.xdsPort(), AdsMode.DELTA)
                .withNode("edge-1", NAMESPACE + "/edge"));
    EnvoyProcess onFollower =
        ENVOYS.start(
            EnvoyBootstrap.ads(follower.xdsPort(), AdsMode.SOTW)
                .withNode("edge-2", NAMESPACE + "/edge"));

    await("the Upstream and the Gateway count the Envoys of both replicas")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var programmed = upstreamCondition("blue", "Programmed");
              assertThat(programmed.getStatus()).isEqualTo("True");
              assertThat(programmed.getMessage())
                  .isEqualTo("2 of 2 proxies hold its current configuration; none rejected it");
              assertThat(upstream("blue").getStatus().proxies())
                  .isEqualTo(new UpstreamProxies(2, 2, 0));
              var gatewayProgrammed = gatewayCondition("edge", "Programmed");
              assertThat(gatewayProgrammed.getStatus()).isEqualTo("True");
              assertThat(gatewayProgrammed.getMessage())
                  .isEqualTo("2 of 2 proxies hold its current configuration; none rejected it");
            });
    assertThat(
            API_SERVER
                .client()
                .configMaps()
                .inNamespace(NAMESPACE)
                .withLabel("fairlead.dev/proxy-record", "true")
                .list()
                .getItems())
        .extracting(c -> c.getMetadata().getName())
        .containsExactlyInAnyOrder("fairlead-proxies-fairlead-a", "fairlead-proxies-fairlead-b");

    for (Replica asked : replicas) {
      await("proxy-status asked of " + asked.name() + " lists both Envoys with their replicas")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(200))
          .untilAsserted(
              () ->
                  assertThat(proxyStatus(asked))
                      .satisfies(
                          table -> {
                            assertThat(table.lines().findFirst().orElseThrow())
                                .startsWith("NAME     REPLICA      FLEET");
                            assertThat(table)
                                .containsPattern(
                                    "edge-1 +" + leader.name() + " +default/edge +DELTA +SYNCED")
                                .containsPattern(
                                    "edge-2 +" + follower.name() + " +default/edge +SOTW +SYNCED");
                          }));
    }

    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      API_SERVER.apply(E2eObjects.gateway("blocked", taken.getLocalPort()));
      EnvoyProcess blockedOnFollower =
          ENVOYS.start(
              EnvoyBootstrap.ads(follower.xdsPort(), AdsMode.SOTW)
                  .withNode("blocked-1", NAMESPACE + "/blocked"));
      await("the rejection by the follower's Envoy shows on the Gateway the leader writes")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                var programmed = gatewayCondition("blocked", "Programmed");
                assertThat(programmed.getStatus()).isEqualTo("False");
                assertThat(programmed.getReason()).isEqualTo("Rejected");
                assertThat(programmed.getMessage())
                    .startsWith("0 of 1 proxy hold its current configuration; 1 rejected it: ")
                    .contains("Address already in use")
                    .contains("http-" + taken.getLocalPort());
              });
      ENVOYS.start(
          EnvoyBootstrap.ads(leader.xdsPort(), AdsMode.DELTA)
              .withNode("blocked-2", NAMESPACE + "/blocked"));
      await("the rejections of both replicas' Envoys add up")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(gatewayCondition("blocked", "Programmed").getMessage())
                      .startsWith(
                          "0 of 2 proxies hold its current configuration; 2 rejected it: "));
      assertThat(gatewayCondition("edge", "Programmed").getStatus())
          .as("the other Gateway is untouched")
          .isEqualTo("True");
      assertThat(proxyStatus(leader))
          .containsPattern(
              "blocked-1 +" + follower.name() + " +default/blocked +SOTW .*" + "NACKED");
      assertThat(blockedOnFollower.isAlive()).isTrue();
    }
    API_SERVER.apply(E2eObjects.gateway("blocked", LoopbackPorts.free()));
    await("the Gateway is programmed once every Envoy of both replicas takes the fixed listener")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var programmed = gatewayCondition("blocked", "Programmed");
              assertThat(programmed.getStatus()).isEqualTo("True");
              assertThat(programmed.getMessage())
                  .isEqualTo("2 of 2 proxies hold its current configuration; none rejected it");
            });

    follower.process().kill();
    await("the killed follower's record expires: only the leader's Envoy counts")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(upstreamCondition("blue", "Programmed").getMessage())
                  .isEqualTo("1 of 1 proxy holds its current configuration; none rejected it");
              assertThat(upstream("blue").getStatus().proxies())
                  .isEqualTo(new UpstreamProxies(1, 1, 0));
            });
    assertThat(proxyStatus(leader))
        .contains("edge-1")
        .doesNotContain("edge-2")
        .doesNotContain("blocked-1");
    assertThat(onLeader.isAlive()).isTrue();
    assertThat(onFollower.isAlive()).isTrue();
    assertThat(leader.process().log())
        .doesNotContain(" ERROR ")
        .doesNotContain(
            "record of its proxies, ConfigMap "
                + NAMESPACE
                + "/fairlead-proxies-"
                + leader.name()
                + ", failed");
  }

  private Replica replica(String identity) {
    int xdsPort = LoopbackPorts.free();
    int adminPort = LoopbackPorts.free();
    FairleadProcess process =
        FairleadProcess.start(
            identity,
            FairleadProcess.electedReplica(
                API_SERVER,
                identity,
                xdsPort,
                adminPort,
                "fairlead.dev/e2e=fleet-status",
                LEASE_DURATION));
    return new Replica(process, xdsPort, adminPort);
  }

  /**
   * What {@code fairlead proxy-status}, the command of the build, prints when asked of {@code
   * replica}.
   */
  private static String proxyStatus(Replica replica) {
    return CommandResult.run(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                FairleadProcess.JAR.toString(),
                "proxy-status",
                "--admin-url",
                "http://127.0.0.1:" + replica.adminPort()),
            Duration.ofSeconds(60))
        .requireSuccess()
        .stdout();
  }

  private static Optional<String> holder() {
    return FairleadProcess.leaseHolder(API_SERVER);
  }

  private static Upstream upstream(String name) {
    return API_SERVER
        .client()
        .resources(Upstream.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .get();
  }

  private static io.fabric8.kubernetes.api.model.Condition upstreamCondition(
      String name, String type) {
    return upstream(name).getStatus().conditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static io.fabric8.kubernetes.api.model.Condition gatewayCondition(
      String name, String type) {
    return API_SERVER
        .client()
        .resources(Gateway.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .get()
        .getStatus()
        .getConditions()
        .stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }
}
