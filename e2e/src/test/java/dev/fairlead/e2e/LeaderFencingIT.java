package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A leader frozen with SIGSTOP past its lease writes nothing once resumed while another replica
 * holds the Lease: two Fairlead replicas (processes of the shaded jar) against a real API server;
 * the leader is frozen, the follower takes the Lease and is then killed (so nothing else writes),
 * an HTTPRoute is created, and the frozen leader is resumed with the route's status to write and
 * the dead follower's Lease still unexpired. The route's status must first be written after the
 * resumed replica took the Lease again: the write's resourceVersion is later than that of the Lease
 * update that made it the holder (resourceVersions are etcd revisions, one sequence across all
 * objects, which the test's watches record).
 */
class LeaderFencingIT {

  private static final String NAMESPACE = "default";
  private static final Duration LEASE_DURATION = Duration.ofSeconds(4);
  private static final Duration BOUND = Duration.ofSeconds(60);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private final List<FairleadProcess> replicas = new ArrayList<>();

  /** A change seen by a watch: the object's resourceVersion and what the test reads of it. */
  private record Seen(long resourceVersion, String what) {}

  @BeforeAll
  static void installCrds() {
    E2eObjects.installCrds(API_SERVER);
  }

  @AfterEach
  void stopReplicas() throws InterruptedException {
    for (FairleadProcess replica : replicas) {
      replica.resume();
      replica.close();
    }
  }

  @Test
  void aLeaderFrozenPastItsLeaseWritesNothingUntilItHoldsTheLeaseAgain() throws Exception {
    for (String identity : List.of("fairlead-a", "fairlead-b")) {
      replicas.add(replica(identity));
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
    FairleadProcess follower = replicas.stream().filter(r -> r != leader).findFirst().orElseThrow();
    leader.awaitLog(leader.name() + " is now the leader", BOUND);
    API_SERVER.apply(E2eObjects.gateway("edge", LoopbackPorts.free()));
    API_SERVER.apply(E2eObjects.staticUpstream("blue", "HTTP1", LoopbackPorts.free()));
    API_SERVER.apply(E2eObjects.route("early", "/early", "blue"));
    await("the leader writes status")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .until(() -> hasStatus("early"));

    List<Seen> leases = new CopyOnWriteArrayList<>();
    List<Seen> routes = new CopyOnWriteArrayList<>();
    try (Watch leaseWatch =
            API_SERVER
                .client()
                .leases()
                .inNamespace(NAMESPACE)
                .withName("fairlead")
                .watch(
                    recording(
                        leases, lease -> String.valueOf(lease.getSpec().getHolderIdentity())));
        Watch routeWatch =
            API_SERVER
                .client()
                .resources(HTTPRoute.class)
                .inNamespace(NAMESPACE)
                .withName("late")
                .watch(
                    recording(
                        routes,
                        route ->
                            route.getStatus() == null || route.getStatus().getParents().isEmpty()
                                ? "no status"
                                : "status"))) {
      leader.freeze();
      await("the follower takes the Lease of the frozen leader")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> holder().equals(Optional.of(follower.name())));
      follower.kill();
      API_SERVER.apply(E2eObjects.route("late", "/late", "blue"));
      await("the route is seen")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> !routes.isEmpty());
      long resumedAfter = leases.get(leases.size() - 1).resourceVersion();
      leader.resume();

      // The status is read with a GET; the watches that record the order of events may deliver
      // theirs a little
      // later, so both are awaited before the order is judged.
      await(
              "the resumed replica takes the Lease again once the dead follower's expires, and writes the status")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  hasStatus("late")
                      && routes.stream().anyMatch(s -> s.what().equals("status"))
                      && leases.stream()
                          .anyMatch(
                              s ->
                                  s.resourceVersion() > resumedAfter
                                      && s.what().equals(leader.name())));
      long retaken =
          leases.stream()
              .filter(s -> s.resourceVersion() > resumedAfter && s.what().equals(leader.name()))
              .mapToLong(Seen::resourceVersion)
              .min()
              .orElseThrow();
      long written =
          routes.stream()
              .filter(s -> s.what().equals("status"))
              .mapToLong(Seen::resourceVersion)
              .min()
              .orElseThrow();
      assertThat(written)
          .as(
              "the resourceVersion of the route's first status, after the Lease was taken again at %d "
                  + "(Lease changes %s, route changes %s)",
              retaken, leases, routes)
          .isGreaterThan(retaken);
    }
  }

  private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> Watcher<T> recording(
      List<Seen> seen, java.util.function.Function<T, String> what) {
    return new Watcher<>() {
      @Override
      public void eventReceived(Action action, T resource) {
        seen.add(
            new Seen(
                Long.parseLong(resource.getMetadata().getResourceVersion()), what.apply(resource)));
      }

      @Override
      public void onClose(WatcherException cause) {}
    };
  }

  private FairleadProcess replica(String identity) {
    return FairleadProcess.start(
        identity,
        FairleadProcess.electedReplica(
            API_SERVER,
            identity,
            LoopbackPorts.free(),
            LoopbackPorts.free(),
            "fairlead.dev/e2e=fencing",
            LEASE_DURATION));
  }

  private static boolean hasStatus(String route) {
    HTTPRoute found =
        API_SERVER.client().resources(HTTPRoute.class).inNamespace(NAMESPACE).withName(route).get();
    return found != null && found.getStatus() != null && !found.getStatus().getParents().isEmpty();
  }

  private static Optional<String> holder() {
    return FairleadProcess.leaseHolder(API_SERVER);
  }
}
