package dev.fairlead.reporter;

import static dev.fairlead.reporter.Upstreams.condition;
import static dev.fairlead.reporter.Upstreams.has;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reporter against a real kube-apiserver, for Upstreams: status is keyed by UID (a recreated
 * object gets its status again, fifty times in a row), follows the generation, reflects proxies'
 * rejections, is put back when someone else changes it, is written only while the writing side
 * runs, and costs no write at steady state. There is no kube-controller-manager, hence no garbage
 * collector and no finalizers: a delete is immediate.
 */
class StatusReporterRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final Duration ROUND_LIMIT = Duration.ofSeconds(2);
  private static final int ROUNDS = 50;
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private KubernetesClient user;
  private KubernetesClient reporterClient;
  private SimpleMeterRegistry registry;
  private StatusReporter reporter;
  private String ns;

  @BeforeAll
  static void installCrds() {
    Upstreams.installCrd(API_SERVER.client());
    API_SERVER.installGatewayApiCrds();
  }

  @BeforeEach
  void reporterInItsOwnNamespace() {
    user = API_SERVER.client();
    reporterClient = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    ns = API_SERVER.createNamespace("reporter-" + NAMESPACES.incrementAndGet());
    reporter =
        new StatusReporter(
            reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry);
  }

  @AfterEach
  void stopReporter() {
    reporter.close();
    reporterClient.close();
  }

  @Test
  void aDeletedAndRecreatedUpstreamGetsItsStatusWrittenAgainEveryRound() {
    reporter.start();
    List<Long> roundMillis = new ArrayList<>();
    String previousUid = "";
    for (int round = 1; round <= ROUNDS; round++) {
      long start = System.nanoTime();
      Upstream created = create(Upstreams.upstream(ns, "recreated", "1s"));
      String uid = created.getMetadata().getUid();
      assertThat(uid).isNotEqualTo(previousUid);
      // The same verdict as last round, but for the new UID: a cache keyed by name would skip it.
      reporter.report(StatusReport.of(List.of(Verdicts.accepted("Upstream", created))));

      await("round " + round)
          .atMost(ROUND_LIMIT)
          .pollInterval(Duration.ofMillis(5))
          .until(
              () -> {
                Upstream now = get("recreated");
                return now != null
                    && uid.equals(now.getMetadata().getUid())
                    && has(now, "Accepted", "True");
              });
      roundMillis.add((System.nanoTime() - start) / 1_000_000);

      user.resources(Upstream.class).inNamespace(ns).withName("recreated").delete();
      previousUid = uid;
    }
    long max = roundMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.println(
        "RECREATE rounds=" + ROUNDS + " max_ms=" + max + " per_round_ms=" + roundMillis);
    assertThat(max).isLessThanOrEqualTo(ROUND_LIMIT.toMillis());
    // The last status can be visible in the API server a moment before its writer counts it: wait
    // for the reporter to be idle before counting.
    awaitIdle();
    assertThat(count("fairlead.status.writes")).isGreaterThanOrEqualTo(ROUNDS);
    // Each delete event dropped its UID's entry. (One written in the very instant of its object's
    // delete event may outlive it until evicted; without invalidation there would be one per
    // round.)
    assertThat(registry.get("cache.size").tag("cache", "fairlead_status").gauge().value())
        .isLessThan(ROUNDS / 10.0);
  }

  @Test
  void observedGenerationFollowsASpecChangeOnceItsVerdictIsReported() {
    reporter.start();
    Upstream first = create(Upstreams.upstream(ns, "tuned", "1s"));
    reporter.report(StatusReport.of(List.of(Verdicts.accepted("Upstream", first))));
    await().atMost(WAIT).until(() -> observedGeneration(get("tuned")) == 1L);

    Upstream second =
        user.resources(Upstream.class)
            .inNamespace(ns)
            .withName("tuned")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"connectTimeout\":\"2s\"}}");
    assertThat(second.getMetadata().getGeneration()).isEqualTo(2L);
    reporter.report(StatusReport.of(List.of(Verdicts.accepted("Upstream", second))));

    await().atMost(WAIT).until(() -> observedGeneration(get("tuned")) == 2L);
    Upstream now = get("tuned");
    assertThat(now.getStatus().conditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(2L));
    assertThat(now.getMetadata().getGeneration())
        .as("status writes never bump the generation")
        .isEqualTo(2L);
  }

  @Test
  void aRejectionMakesProgrammedFalseAndItsWithdrawalMakesItTrueAgain() {
    reporter.start();
    Upstream cart = create(Upstreams.upstream(ns, "cart", "1s"));
    List<Verdict> verdicts = List.of(Verdicts.accepted("Upstream", cart));
    reporter.report(
        new StatusReport(
            verdicts, Map.of(ns + "/cart", 3), Map.of(), StatusReport.GATEWAY_CONTROLLER_NAME));
    await().atMost(WAIT).until(() -> has(get("cart"), "Programmed", "True"));
    assertThat(get("cart").getStatus().readyEndpoints()).isEqualTo(3);

    reporter.report(
        new StatusReport(
            verdicts,
            Map.of(ns + "/cart", 3),
            Map.of(
                StatusReport.objectKey("Upstream", ns, "cart"),
                new Rejection(
                    "cluster upstream/"
                        + ns
                        + "/cart: outlier_detection.base_ejection_time: invalid",
                    2)),
            StatusReport.GATEWAY_CONTROLLER_NAME));
    await().atMost(WAIT).until(() -> has(get("cart"), "Programmed", "False"));
    io.fabric8.kubernetes.api.model.Condition programmed =
        condition(get("cart"), "Programmed").orElseThrow();
    assertThat(programmed.getReason()).isEqualTo("Rejected");
    assertThat(programmed.getMessage())
        .isEqualTo(
            "2 proxies rejected it: cluster upstream/"
                + ns
                + "/cart: outlier_detection.base_ejection_time: invalid");
    assertThat(has(get("cart"), "Accepted", "True")).isTrue();
    assertThat(printedColumns("cart"))
        .as("NAME ACCEPTED PROGRAMMED ENDPOINTS")
        .startsWith("cart", "True", "False", "3");

    reporter.report(
        new StatusReport(
            verdicts, Map.of(ns + "/cart", 3), Map.of(), StatusReport.GATEWAY_CONTROLLER_NAME));
    await().atMost(WAIT).until(() -> has(get("cart"), "Programmed", "True"));
    assertThat(condition(get("cart"), "Programmed").orElseThrow().getReason())
        .isEqualTo("Programmed");
    assertThat(printedColumns("cart"))
        .as("NAME ACCEPTED PROGRAMMED ENDPOINTS")
        .startsWith("cart", "True", "True", "3");
  }

  /** The cells of {@code kubectl get upstreams NAME}'s row. */
  private String[] printedColumns(String name) {
    return API_SERVER
        .kubectl()
        .run("-n", ns, "get", "upstreams", name, "--no-headers")
        .requireSuccess()
        .stdout()
        .trim()
        .split("\\s+");
  }

  @Test
  void aStatusSomeoneElseChangesIsPutBack() {
    reporter.start();
    Upstream cart = create(Upstreams.upstream(ns, "cart", "1s"));
    reporter.report(StatusReport.of(List.of(Verdicts.accepted("Upstream", cart))));
    await().atMost(WAIT).until(() -> has(get("cart"), "Accepted", "True"));
    awaitIdle();
    double writes = count("fairlead.status.writes");

    Upstream tampered = get("cart");
    tampered.setStatus(
        new UpstreamStatus(
            List.of(
                new io.fabric8.kubernetes.api.model.Condition(
                    "2020-01-01T00:00:00Z",
                    "not by Fairlead",
                    1L,
                    "Tampered",
                    "False",
                    "Accepted")),
            1L,
            7));
    user.resources(Upstream.class).inNamespace(ns).resource(tampered).updateStatus();

    await().atMost(WAIT).until(() -> has(get("cart"), "Accepted", "True"));
    assertThat(get("cart").getStatus().readyEndpoints()).isNull();
    awaitIdle();
    assertThat(count("fairlead.status.writes")).isEqualTo(writes + 1);
  }

  @Test
  void onlyTheWritingSideWritesAndAnObjectSeenAfterItsVerdictStillGetsItsStatus() {
    Upstream cart = create(Upstreams.upstream(ns, "cart", "1s"));
    reporter.report(StatusReport.of(List.of(Verdicts.accepted("Upstream", cart))));
    awaitIdle();
    assertThat(get("cart").getStatus()).as("not started: nothing written").isNull();

    // Started after the report: the informer sees the object only now, after its verdict.
    reporter.start();
    await().atMost(WAIT).until(() -> has(get("cart"), "Accepted", "True"));

    reporter.stop();
    Verdict refused =
        Verdicts.of(
            "Upstream",
            cart,
            new Condition.False("Invalid", "spec.connectTimeout: too long"),
            Verdicts.RESOLVED);
    reporter.report(StatusReport.of(List.of(refused)));
    await()
        .during(Duration.ofMillis(500))
        .atMost(WAIT)
        .until(() -> has(get("cart"), "Accepted", "True"));

    reporter.start();
    await().atMost(WAIT).until(() -> has(get("cart"), "Accepted", "False"));
    assertThat(condition(get("cart"), "Accepted").orElseThrow().getMessage())
        .isEqualTo("spec.connectTimeout: too long");
  }

  @Test
  void atSteadyStateTheSameReportAgainAndAResyncWriteNothing() {
    reporter.start();
    List<Verdict> verdicts =
        IntStream.range(0, 20)
            .mapToObj(
                i ->
                    Verdicts.accepted(
                        "Upstream", create(Upstreams.upstream(ns, "steady-" + i, "1s"))))
            .toList();
    reporter.report(StatusReport.of(verdicts));
    await()
        .atMost(WAIT)
        .until(
            () ->
                user.resources(Upstream.class).inNamespace(ns).list().getItems().stream()
                        .filter(u -> has(u, "Accepted", "True"))
                        .count()
                    == 20);
    awaitIdle();
    double writes = count("fairlead.status.writes");
    double skips = count("fairlead.status.skips");

    reporter.report(StatusReport.of(new ArrayList<>(verdicts)));
    awaitIdle();
    assertThat(count("fairlead.status.writes"))
        .as("writes after the same report again")
        .isEqualTo(writes);

    reporter.resyncAll();
    awaitIdle();
    assertThat(count("fairlead.status.writes")).as("writes after a resync").isEqualTo(writes);
    assertThat(count("fairlead.status.skips"))
        .as("each object was looked at")
        .isGreaterThanOrEqualTo(skips + 20);
    assertThat(count("fairlead.status.writes")).isEqualTo(20);
  }

  private void awaitIdle() {
    await().atMost(WAIT).pollDelay(Duration.ofMillis(50)).until(() -> reporter.pendingWork() == 0);
  }

  private double count(String counter) {
    return Upstreams.count(registry, counter, "Upstream");
  }

  private Upstream create(Upstream upstream) {
    return user.resources(Upstream.class).inNamespace(ns).resource(upstream).create();
  }

  private Upstream get(String name) {
    return user.resources(Upstream.class).inNamespace(ns).withName(name).get();
  }

  private static long observedGeneration(Upstream upstream) {
    return upstream == null
            || upstream.getStatus() == null
            || upstream.getStatus().observedGeneration() == null
        ? 0
        : upstream.getStatus().observedGeneration();
  }
}
