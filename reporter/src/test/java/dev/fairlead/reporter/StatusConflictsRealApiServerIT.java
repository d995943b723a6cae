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
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
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
 * Status writes racing another writer on a real kube-apiserver. While a second client keeps
 * changing an Upstream's labels every 20 ms (each change a new resourceVersion), the status still
 * changes every time the report does, without a single conflict: Fairlead alone writes an
 * Upstream's status, so it is patched without a resourceVersion precondition and metadata churn
 * cannot starve it. A route's status, shared with other controllers, is written with one: a route
 * changed between read and write conflicts, and the conflict is counted and retried from fresh
 * state, never logged as an error. The other writer's labels survive either way. Prints {@code
 * CONFLICTS statusChanges=… labelPatches=… writes=… conflicts=…}.
 */
class StatusConflictsRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final int STATUS_CHANGES = 20;
  private static final int MAX_LABEL_PATCHES = 10_000;
  private static final Duration CHURN_PERIOD = Duration.ofMillis(20);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

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
    API_SERVER.installGatewayApiCrds();
  }

  @BeforeEach
  void reporterAndLogCapture() {
    logs.start();
    root.addAppender(logs);
    reporterClient = API_SERVER.newClient();
    labeler = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    ns = API_SERVER.createNamespace("conflicts-" + NAMESPACES.incrementAndGet());
    reporter =
        new StatusReporter(
            reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry);
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
    Upstream cart =
        user.resources(Upstream.class)
            .inNamespace(ns)
            .resource(Upstreams.upstream(ns, "cart", "1s"))
            .create();
    reporter.start();

    // Another writer changing the labels every 20 ms: each change is a new resourceVersion, which a
    // status write with a resourceVersion precondition would often conflict with.
    AtomicInteger patches = new AtomicInteger();
    ScheduledExecutorService churn =
        Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "label-churn"));
    var unused =
        churn.scheduleAtFixedRate(
            () -> {
              if (patches.get() < MAX_LABEL_PATCHES) {
                int n = patches.incrementAndGet();
                labeler
                    .resources(Upstream.class)
                    .inNamespace(ns)
                    .withName("cart")
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"metadata\":{\"labels\":{\"churn\":\"" + n + "\"}}}");
              }
            },
            0,
            CHURN_PERIOD.toMillis(),
            TimeUnit.MILLISECONDS);
    long start = System.nanoTime();
    try {
      for (int change = 1; change <= STATUS_CHANGES; change++) {
        String message = "change " + change;
        Verdict verdict =
            Verdicts.of(
                "Upstream", cart, new Condition.True("Accepted", message), Verdicts.RESOLVED);
        reporter.report(
            new StatusReport(
                List.of(verdict),
                Map.of(ns + "/cart", change),
                Map.of(),
                StatusReport.GATEWAY_CONTROLLER_NAME));
        int ready = change;
        await(message)
            .atMost(WAIT)
            .until(
                () -> {
                  Upstream now =
                      user.resources(Upstream.class).inNamespace(ns).withName("cart").get();
                  return condition(now, "Accepted")
                          .map(c -> message.equals(c.getMessage()))
                          .orElse(false)
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
    System.out.printf(
        "CONFLICTS statusChanges=%d labelPatches=%d seconds=%.1f writes=%.0f conflicts=%.0f%n",
        STATUS_CHANGES, patches.get(), seconds, writes, conflicts);
    assertThat(registry.find("fairlead.status.conflicts").tag("kind", "Upstream").counter())
        .isNotNull();
    assertThat(conflicts)
        .as("label churn cannot make an Upstream's status write conflict")
        .isZero();
    assertThat(writes).isGreaterThanOrEqualTo(STATUS_CHANGES);
    assertThat(
            user.resources(Upstream.class)
                .inNamespace(ns)
                .withName("cart")
                .get()
                .getMetadata()
                .getLabels())
        .as("status writes leave the other writer's labels alone")
        .containsEntry("churn", String.valueOf(patches.get()));
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }

  @Test
  void aRouteChangedBetweenReadAndWriteConflictsAndIsRetriedToSuccess() {
    KubernetesClient user = API_SERVER.client();
    HTTPRoute stale =
        user.resources(HTTPRoute.class)
            .inNamespace(ns)
            .resource(
                new HTTPRouteBuilder()
                    .withNewMetadata()
                    .withName("cart")
                    .endMetadata()
                    .withNewSpec()
                    .addNewParentRef()
                    .withName("public")
                    .endParentRef()
                    .endSpec()
                    .build())
            .create();
    labeler
        .resources(HTTPRoute.class)
        .inNamespace(ns)
        .withName("cart")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"team\":\"shop\"}}}");
    StatusWriter writer =
        new StatusWriter(
            reporterClient,
            new LastWrittenStatuses(100, registry),
            registry,
            List.of(ReportIndex.HTTP_ROUTE),
            5,
            Duration.ofMillis(10),
            Duration.ofMillis(100));
    RouteStatusKind<HTTPRoute, HTTPRouteStatus> kind = RouteStatusKind.HTTP_ROUTE;
    ObjectReport report =
        ReportIndex.of(
                StatusReport.of(
                    List.of(Verdicts.route(stale, ns, "public", null, Verdicts.ACCEPTED))))
            .about(ObjectKey.of(ReportIndex.HTTP_ROUTE, stale));

    // The route's status is shared with other controllers: the write carries the resourceVersion
    // read, which the label change made stale, so it conflicts once and is written from the route
    // as it is now.
    StatusWriter.Outcome outcome =
        writer.reconcile(kind, stale, route -> kind.desired(report, route, Instant.now()));

    assertThat(outcome).isEqualTo(StatusWriter.Outcome.WRITTEN);
    HTTPRoute now = user.resources(HTTPRoute.class).inNamespace(ns).withName("cart").get();
    assertThat(now.getStatus().getParents())
        .singleElement()
        .satisfies(
            parent ->
                assertThat(parent.getConditions())
                    .anySatisfy(
                        condition -> {
                          assertThat(condition.getType()).isEqualTo("Accepted");
                          assertThat(condition.getStatus()).isEqualTo("True");
                        }));
    assertThat(now.getMetadata().getLabels()).containsEntry("team", "shop");
    assertThat(Upstreams.count(registry, "fairlead.status.conflicts", ReportIndex.HTTP_ROUTE))
        .isEqualTo(1);
    assertThat(Upstreams.count(registry, "fairlead.status.failures", ReportIndex.HTTP_ROUTE))
        .isZero();
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage)
        .isEmpty();
  }
}
