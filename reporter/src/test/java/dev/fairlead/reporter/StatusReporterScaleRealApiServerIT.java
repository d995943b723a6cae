package dev.fairlead.reporter;

import static dev.fairlead.reporter.Upstreams.has;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * 1,000 Upstreams created at once (by several threads, each create followed by a report naming it,
 * as the app would report once the translator has seen it) all get their status; prints {@code
 * REPORTER upstreams=… p50_ms=… p99_ms=… max_ms=… writes=… writes_per_1000=…}, the latency from the
 * start of each create to its {@code Accepted=True} status as a watch sees it (and {@code
 * after_create_…}, from the create's answer on). Then a resync of all of them writes nothing.
 */
class StatusReporterScaleRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final int UPSTREAMS = 1_000;
  private static final int CREATING_THREADS = 4;
  private static final Duration WAIT = Duration.ofMinutes(3);

  @Test
  void aThousandUpstreamsCreatedAtOnceAllGetTheirStatusAndAResyncWritesNothing() throws Exception {
    KubernetesClient user = API_SERVER.client();
    Upstreams.installCrd(user);
    API_SERVER.installGatewayApiCrds();
    String ns = API_SERVER.createNamespace("scale");

    Map<String, Long> createdAt = new ConcurrentHashMap<>();
    Map<String, Long> createReturnedAt = new ConcurrentHashMap<>();
    Map<String, Long> acceptedAt = new ConcurrentHashMap<>();
    SharedIndexInformer<Upstream> watch =
        user.resources(Upstream.class)
            .inNamespace(ns)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Upstream upstream) {
                    seen(upstream);
                  }

                  @Override
                  public void onUpdate(Upstream oldUpstream, Upstream newUpstream) {
                    seen(newUpstream);
                  }

                  @Override
                  public void onDelete(Upstream upstream, boolean deletedFinalStateUnknown) {}

                  private void seen(Upstream upstream) {
                    if (has(upstream, "Accepted", "True")) {
                      acceptedAt.putIfAbsent(upstream.getMetadata().getName(), System.nanoTime());
                    }
                  }
                });

    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<Verdict> verdicts = new ArrayList<>();
    ExecutorService creators = Executors.newFixedThreadPool(CREATING_THREADS);
    try (KubernetesClient reporterClient = API_SERVER.newClient();
        StatusReporter reporter =
            new StatusReporter(
                reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry)) {
      reporter.start();
      await().atMost(WAIT).until(reporter::hasSynced);

      long start = System.nanoTime();
      List<Future<?>> creates = new ArrayList<>();
      for (int t = 0; t < CREATING_THREADS; t++) {
        int first = t;
        creates.add(
            creators.submit(
                () -> {
                  for (int i = first; i < UPSTREAMS; i += CREATING_THREADS) {
                    String name = String.format("us-%04d", i);
                    createdAt.put(name, System.nanoTime());
                    Upstream created =
                        user.resources(Upstream.class)
                            .inNamespace(ns)
                            .resource(Upstreams.upstream(ns, name, "1s"))
                            .create();
                    createReturnedAt.put(name, System.nanoTime());
                    // The app reports from one thread; the creating threads take turns instead.
                    synchronized (verdicts) {
                      verdicts.add(Verdicts.accepted("Upstream", created));
                      reporter.report(StatusReport.of(verdicts));
                    }
                  }
                }));
      }
      for (Future<?> create : creates) {
        create.get();
      }
      double createSeconds = (System.nanoTime() - start) / 1e9;

      await()
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> acceptedAt.size() == UPSTREAMS);
      double allSeconds = (System.nanoTime() - start) / 1e9;
      await()
          .atMost(WAIT)
          .pollDelay(Duration.ofMillis(100))
          .until(() -> reporter.pendingWork() == 0);
      double writes = Upstreams.count(registry, "fairlead.status.writes", "Upstream");
      double conflicts = Upstreams.count(registry, "fairlead.status.conflicts", "Upstream");

      long[] latencies =
          createdAt.keySet().stream()
              .mapToLong(name -> (acceptedAt.get(name) - createdAt.get(name)) / 1_000_000)
              .sorted()
              .toArray();
      long[] afterCreate =
          createdAt.keySet().stream()
              .mapToLong(name -> (acceptedAt.get(name) - createReturnedAt.get(name)) / 1_000_000)
              .sorted()
              .toArray();
      System.out.printf(
          "REPORTER upstreams=%d p50_ms=%d p99_ms=%d max_ms=%d writes=%.0f writes_per_1000=%.0f "
              + "conflicts=%.0f create_seconds=%.1f all_status_seconds=%.1f "
              + "after_create_p50_ms=%d after_create_p99_ms=%d after_create_max_ms=%d%n",
          UPSTREAMS,
          percentile(latencies, 50),
          percentile(latencies, 99),
          latencies[latencies.length - 1],
          writes,
          writes * 1000 / UPSTREAMS,
          conflicts,
          createSeconds,
          allSeconds,
          percentile(afterCreate, 50),
          percentile(afterCreate, 99),
          afterCreate[afterCreate.length - 1]);
      assertThat(writes).as("one status write per Upstream").isEqualTo(UPSTREAMS);

      reporter.resyncAll();
      await()
          .atMost(WAIT)
          .pollDelay(Duration.ofMillis(100))
          .until(() -> reporter.pendingWork() == 0);
      assertThat(Upstreams.count(registry, "fairlead.status.writes", "Upstream"))
          .as("writes after a resync of all of them")
          .isEqualTo(writes);
    } finally {
      creators.shutdownNow();
      watch.close();
    }
  }

  private static long percentile(long[] sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
