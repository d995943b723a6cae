package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Discovery at a realistic size against a real kube-apiserver: 2,000 Services with two ports each
 * become 4,000 Upstreams, and a full resync afterwards writes nothing. Prints {@code SCALE
 * services=… upstreams=… seconds=… resyncWrites=…} for the record.
 */
class UpstreamReconcilerScaleRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final int SERVICES = 2_000;
  private static final int CREATING_THREADS = 8;
  private static final Duration CREATE_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration RECONCILE_TIMEOUT = Duration.ofMinutes(5);

  @Test
  void twoThousandServicesBecomeFourThousandUpstreamsAndAResyncWritesNothing() throws Exception {
    KubernetesClient user = API_SERVER.client();
    try (InputStream crd =
        getClass().getResourceAsStream("/META-INF/fabric8/upstreams.fairlead.dev-v1.yml")) {
      Crds.apply(user, crd);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    String ns = API_SERVER.createNamespace("scale");

    long createStart = System.nanoTime();
    createServices(user, ns);
    double createSeconds = seconds(System.nanoTime() - createStart);

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KubernetesClient discoveryClient = API_SERVER.newClient();
        UpstreamReconciler reconciler =
            new UpstreamReconciler(
                discoveryClient,
                DiscoveryScope.inNamespaces(Set.of(ns)),
                ReconcilerSettings.DEFAULT,
                registry)) {
      long start = System.nanoTime();
      reconciler.start();
      await()
          .atMost(RECONCILE_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> applies(registry) >= 2 * SERVICES);
      double reconcileSeconds = seconds(System.nanoTime() - start);

      List<Upstream> upstreams = user.resources(Upstream.class).inNamespace(ns).list().getItems();
      assertThat(upstreams).hasSize(2 * SERVICES);
      assertThat(upstreams.stream().map(u -> u.getMetadata().getName()).collect(Collectors.toSet()))
          .contains("svc-0000-http", "svc-0000-grpc", "svc-1999-http", "svc-1999-grpc");

      await()
          .atMost(RECONCILE_TIMEOUT)
          .pollDelay(Duration.ofSeconds(1))
          .until(() -> reconciler.pendingReconciles() == 0);
      double writesBefore = writes(registry);
      double reconcilesBefore = reconciles(registry);
      long resyncStart = System.nanoTime();
      reconciler.resyncAll();
      await()
          .atMost(RECONCILE_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  reconciles(registry) >= reconcilesBefore + SERVICES
                      && reconciler.pendingReconciles() == 0);
      double resyncSeconds = seconds(System.nanoTime() - resyncStart);
      double resyncWrites = writes(registry) - writesBefore;

      System.out.printf(
          "SCALE services=%d upstreams=%d seconds=%.1f resyncWrites=%.0f "
              + "(creating the Services took %.1f s through %d threads; the resync reconciled %.0f Services in %.1f s; "
              + "conflicts=%.0f)%n",
          SERVICES,
          upstreams.size(),
          reconcileSeconds,
          resyncWrites,
          createSeconds,
          CREATING_THREADS,
          reconciles(registry) - reconcilesBefore,
          resyncSeconds,
          registry.counter("fairlead.discovery.conflicts").count());
      assertThat(applies(registry)).as("one apply per Upstream").isEqualTo(2 * SERVICES);
      assertThat(resyncWrites).as("writes during a full resync of an unchanged cluster").isZero();
    }
  }

  private static void createServices(KubernetesClient client, String ns) throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(CREATING_THREADS);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < CREATING_THREADS; t++) {
        int thread = t;
        futures.add(
            threads.submit(
                () ->
                    IntStream.range(0, SERVICES)
                        .filter(i -> i % CREATING_THREADS == thread)
                        .forEach(
                            i -> client.services().inNamespace(ns).resource(service(i)).create())));
      }
      for (Future<?> future : futures) {
        future.get(CREATE_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  /**
   * A headless Service (the test API server's Service CIDR holds only 254 cluster IPs) with two
   * ports.
   */
  private static Service service(int i) {
    String name = String.format("svc-%04d", i);
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withClusterIP("None")
        .withSelector(Map.of("app", name))
        .withPorts(
            new ServicePortBuilder().withName("http").withPort(80).build(),
            new ServicePortBuilder()
                .withName("grpc")
                .withPort(9090)
                .withAppProtocol("grpc")
                .build())
        .endSpec()
        .build();
  }

  private static double applies(SimpleMeterRegistry registry) {
    return registry.counter("fairlead.discovery.writes", "operation", "apply").count();
  }

  private static double writes(SimpleMeterRegistry registry) {
    return applies(registry)
        + registry.counter("fairlead.discovery.writes", "operation", "delete").count();
  }

  private static double reconciles(SimpleMeterRegistry registry) {
    return registry.counter("fairlead.discovery.reconciles").count();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
