package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GRPCRoute is optional: against an API server with every CRD Fairlead watches but GRPCRoute's
 * (Gateway API CRDs older than v1.1, or installed in part), the source still syncs and publishes
 * states, without GRPCRoutes, and says once why.
 */
class ClusterStateSourceWithoutGrpcRouteRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static final Duration WAIT = Duration.ofSeconds(60);

  @BeforeAll
  static void installCrdsButGrpcRoute() throws IOException {
    FairleadCrds.install(API_SERVER);
    KubernetesClient admin = API_SERVER.client();
    admin
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName("grpcroutes.gateway.networking.k8s.io")
        .delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                !admin.supports(GRPCRoute.class)
                    && admin
                            .apiextensions()
                            .v1()
                            .customResourceDefinitions()
                            .withName("grpcroutes.gateway.networking.k8s.io")
                            .get()
                        == null);
  }

  @Test
  void syncsAndPublishesWithoutGrpcRoutesAndSaysWhyOnce() {
    AtomicReference<ClusterState> latest = new AtomicReference<>();
    String ns = API_SERVER.createNamespace("no-grpcroute");
    try (KubernetesClient client = API_SERVER.newClient();
        ClusterStateSource source =
            new ClusterStateSource(
                client,
                Set.of(ns),
                CoalescingDelay.DEFAULT,
                new SimpleMeterRegistry(),
                latest::set)) {
      source.start();
      await().atMost(WAIT).until(source::hasSynced);
      await().atMost(WAIT).until(() -> latest.get() != null);
      assertThat(latest.get().grpcRoutes()).isEmpty();
      assertThat(logs.lines())
          .filteredOn(
              line -> line.contains("does not serve gateway.networking.k8s.io/v1 " + "GRPCRoute"))
          .hasSize(1);
      assertThat(logs.lines()).noneMatch(line -> line.contains("GRPCRoute informer"));
    }
  }
}
