package dev.fairlead.reporter;

import static dev.fairlead.reporter.Upstreams.condition;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Status writes racing another writer on a real kube-apiserver: while a second client keeps changing an Upstream's
 * labels every 20 ms (each change a new resourceVersion), the status still changes every time the report does.
 * Conflicts are normal: they are counted and retried, never logged as errors, and the other writer's labels survive.
 * Prints {@code CONFLICTS statusChanges=… labelPatches=… writes=… conflicts=…}.
 */
class StatusConflictsRealApiServerIT {

  @RegisterExtension
  static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int STATUS_CHANGES = 20;
  private static final int MAX_LABEL_PATCHES = 10_000;
  private static final Duration CHURN_PERIOD = Duration.ofMillis(20);

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private KubernetesClient reporterClient;
  private KubernetesClient labeler;
  private SimpleMeterRegistry registry;
  private StatusReporter reporter;
  private String ns;

  @BeforeAll
  static void installCrds() {
    Upstreams.installCrd(API_SERVER.client());
  }

  @BeforeEach
  void reporterAndLogCapture() {
    logs.start();
    root.addAppender(logs);
    reporterClient = API_SERVER.newClient();
    labeler = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    ns = API_SERVER.createNamespace("conflicts");
    reporter = new StatusReporter(reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry);
  }

  @AfterEach
  void stop() {
    reporter.close();
    reporterClient.close();
    labeler.close();
    root.detachAppender(logs);
  }

  @Test
  void statusLandsEveryTimeWhileAnotherWriterKeepsChangingTheObject() throws InterruptedException {
    KubernetesClient user = API_SERVER.client();
    Upstream cart = user.resources(Upstream.class).inNamespace(ns)
        .resource(Upstreams.upstream(ns, "cart", "1s")).create();
    reporter.start();

    // Another writer changing the labels every 20 ms: each change is a new resourceVersion, so a status computed
    // from the object as read a moment ago is often refused (409) and must be retried from fresh state.
    AtomicInteger patches = new AtomicInteger();
    ScheduledExecutorService churn = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "label-churn"));
    var unused = churn.scheduleAtFixedRate(() -> {
      if (patches.get() < MAX_LABEL_PATCHES) {
        int n = patches.incrementAndGet();
        labeler.resources(Upstream.class).inNamespace(ns).withName("cart")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"labels\":{\"churn\":\"" + n + "\"}}}");
      }
    }, 0, CHURN_PERIOD.toMillis(), TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    try {
      for (int change = 1; change <= STATUS_CHANGES; change++) {
        String message = "change " + change;
        Verdict verdict = Verdicts.of("Upstream", cart, new Condition.True("Accepted", message), Verdicts.RESOLVED);
        reporter.report(new StatusReport(List.of(verdict), Map.of(ns + "/cart", change), Map.of(),
            StatusReport.GATEWAY_CONTROLLER_NAME));
        int ready = change;
        await(message).atMost(WAIT).until(() -> {
          Upstream now = user.resources(Upstream.class).inNamespace(ns).withName("cart").get();
          return condition(now, "Accepted").map(c -> message.equals(c.getMessage())).orElse(false)
              && now.getStatus().readyEndpoints() == ready;
        });
      }
    } finally {
      churn.shutdown();
      assertThat(churn.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
    double seconds = (System.nanoTime() - start) / 1e9;

    double conflicts = Upstreams.count(registry, "fairlead.status.conflicts", "Upstream");
    double writes = Upstreams.count(registry, "fairlead.status.writes", "Upstream");
    System.out.printf("CONFLICTS statusChanges=%d labelPatches=%d seconds=%.1f writes=%.0f conflicts=%.0f%n",
        STATUS_CHANGES, patches.get(), seconds, writes, conflicts);
    assertThat(registry.find("fairlead.status.conflicts").tag("kind", "Upstream").counter()).isNotNull();
    assertThat(conflicts).as("the label churn provokes conflicts").isGreaterThan(0);
    assertThat(writes).isGreaterThanOrEqualTo(STATUS_CHANGES);
    assertThat(user.resources(Upstream.class).inNamespace(ns).withName("cart").get().getMetadata().getLabels())
        .as("status writes leave the other writer's labels alone")
        .containsEntry("churn", String.valueOf(patches.get()));
    assertThat(logs.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }
}
