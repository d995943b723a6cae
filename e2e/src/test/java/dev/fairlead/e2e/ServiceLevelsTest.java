package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceLevelsTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
  private static final long MIB = 1L << 20;
  private static final long KIB = 1L << 10;

  @Test
  void failuresInsideAnnouncedDisruptionsDoNotCount() {
    ServiceLevels levels = new ServiceLevels();
    levels.disruption("Envoy restart", T0.plusSeconds(10), T0.plusSeconds(20), Set.of("http"));
    levels.request("http", T0.plusSeconds(5), Duration.ofMillis(2), true);
    levels.request("http", T0.plusSeconds(15), Duration.ofSeconds(5), false);
    levels.request("http", T0.plusSeconds(25), Duration.ofMillis(3), false);
    levels.request("grpc", T0.plusSeconds(25), Duration.ofMillis(1), true);
    levels.request("grpc", T0.plusSeconds(15), Duration.ofMillis(1), false);

    ServiceLevels.Traffic http = levels.traffic("http");
    assertThat(http.requests()).isEqualTo(3);
    assertThat(http.failedOutsideDisruptions()).isEqualTo(1);
    assertThat(http.successPercent()).isCloseTo(66.667, within(0.001));
    assertThat(http.maxMicros()).isBetween(4_990_000L, 5_010_000L);
    // The disruption was announced for HTTP only: gRPC must not have noticed it.
    assertThat(levels.traffic("grpc").failedOutsideDisruptions()).isEqualTo(1);
  }

  @Test
  void aFailedRequestInFlightWhenTheFaultBeganIsTheFaults() {
    ServiceLevels levels = new ServiceLevels();
    levels.disruption(
        "API server restart", T0.plusSeconds(10), T0.plusSeconds(20), Set.of("writes"));
    // Sent a second before the restart, failed by it: overlaps the disruption.
    levels.request("writes", T0.plusSeconds(9), Duration.ofSeconds(3), false);
    // Sent and failed before the restart began: the fault cannot explain it.
    levels.request("writes", T0.plusSeconds(5), Duration.ofSeconds(2), false);

    assertThat(levels.traffic("writes").failedOutsideDisruptions()).isEqualTo(1);
  }

  @Test
  void countsAndMaximaAddUpFromManyThreads() throws Exception {
    ServiceLevels levels = new ServiceLevels();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      int thread = t;
      var unused =
          pool.submit(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  levels.count("requests");
                  levels.max("lag", thread * 10_000L + i);
                  levels.request("http", T0, Duration.ofMillis(i % 100), i % 1000 != 0);
                }
              });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(levels.counter("requests")).isEqualTo(80_000);
    assertThat(levels.maximum("lag")).isEqualTo(79_999);
    ServiceLevels.Traffic http = levels.traffic("http");
    assertThat(http.requests()).isEqualTo(80_000);
    assertThat(http.failedOutsideDisruptions()).isEqualTo(80);
    assertThat(http.p99Micros()).isBetween(98_000L, 100_000L);
  }

  @Test
  void heapThatRisesInEveryOneOfTheLastWindowsBeyondTheToleranceGrowsWithoutBound() {
    List<Long> leaking = List.of(10 * MIB, 40 * MIB, 42 * MIB, 45 * MIB, 49 * MIB);

    assertThat(ServiceLevels.heapGrowth(leaking, 1, 4, 4 * MIB))
        .hasValueSatisfying(
            finding -> assertThat(finding).contains("last 4 windows").contains("9.0 MiB"));
  }

  @Test
  void theWarmUpSamplesAndOnePlateauAreNotGrowth() {
    // The first windows are warm-up: caches and informers fill them.
    assertThat(
            ServiceLevels.heapGrowth(
                List.of(10 * MIB, 40 * MIB, 41 * MIB, 41 * MIB + 1, 41 * MIB + 2), 1, 4, 4 * MIB))
        .isEmpty();
    // A replica still warming up rises in every window; past its warm-up it holds a plateau.
    List<Long> warming =
        List.of(
            29 * MIB, 30 * MIB, 32 * MIB, 33 * MIB, 35 * MIB, 35 * MIB, 34 * MIB, 35 * MIB,
            35 * MIB);
    assertThat(ServiceLevels.heapGrowth(warming.subList(0, 5), 1, 4, 4 * MIB)).isPresent();
    assertThat(ServiceLevels.judgeable(warming.subList(0, 5), 5, 4)).isFalse();
    assertThat(ServiceLevels.heapGrowth(warming, 5, 4, 4 * MIB)).isEmpty();
    // A leak keeps rising past the warm-up.
    List<Long> leaking =
        List.of(
            29 * MIB, 30 * MIB, 32 * MIB, 33 * MIB, 35 * MIB, 37 * MIB, 39 * MIB, 41 * MIB,
            43 * MIB);
    assertThat(ServiceLevels.heapGrowth(leaking, 5, 4, 4 * MIB)).isPresent();
    // One window that does not rise breaks the trend, wherever it is.
    assertThat(
            ServiceLevels.heapGrowth(
                List.of(1L, 40 * MIB, 45 * MIB, 44 * MIB, 50 * MIB, 55 * MIB), 1, 4, 4 * MIB))
        .isEmpty();
    assertThat(
            ServiceLevels.heapGrowth(
                List.of(1L, 40 * MIB, 45 * MIB, 50 * MIB, 55 * MIB, 55 * MIB), 1, 4, 4 * MIB))
        .isEmpty();
  }

  @Test
  void aPlateauBrokenByOneStepIsNotGrowthButAStairClimbingEveryWindowIs() {
    // A replica holding its heap for two windows, then taking on other replicas' proxies.
    List<Long> stepped =
        List.of(
            1L,
            40 * MIB,
            44 * MIB + 800 * KIB,
            45 * MIB + 800 * KIB,
            45 * MIB + 810 * KIB,
            58 * MIB + 700 * KIB);
    assertThat(ServiceLevels.heapGrowth(stepped, 1, 4, 4 * MIB)).isEmpty();
    List<Long> climbing =
        List.of(1L, 40 * MIB, 40 * MIB + 600 * KIB, 42 * MIB, 43 * MIB, 44 * MIB + 700 * KIB);
    assertThat(ServiceLevels.heapGrowth(climbing, 1, 4, 4 * MIB)).isPresent();
  }

  @Test
  void aClimbOfTheLastWindowsOverAFlatFloorIsChurnNotALeak() {
    // A replica of a fast soak run: what it allocates between the GC and the scrape comes and goes
    // by tens of MiB; what it keeps (the lowest samples) stays near 45 MiB throughout.
    List<Long> noisy =
        mebibytes(
            28.4, 31.4, 31.1, 47.9, 46.8, 68.9, 44.8, 74.8, 54.8, 52.0, 46.1, 56.1, 46.1, 45.1,
            50.1, 50.1, 50.2, 45.1, 46.2, 50.0, 57.1);
    assertThat(ServiceLevels.heapGrowth(noisy, 3, 4, 4 * MIB)).isEmpty();
    // The same last windows over a floor that rose with them: a leak.
    List<Long> leaking =
        mebibytes(28.4, 31.4, 31.1, 36.0, 36.5, 37.2, 38.0, 39.1, 41.0, 45.1, 46.2, 50.0, 57.1);
    assertThat(ServiceLevels.heapGrowth(leaking, 3, 4, 4 * MIB))
        .hasValueSatisfying(
            finding -> assertThat(finding).contains("floor from 36.0 MiB to 41.0 MiB"));
  }

  @Test
  void aStepToANewLevelIsJudgedOnlyOnTheSamplesAfterIt() {
    // Replicas of the two-hour soak run (seed 54845629598887), one sample every 150 s: each held
    // about 33 MiB as a follower, then stepped to about 50 MiB when it took on the leader's work,
    // and churned around that level.
    List<Long> tookTheLead =
        mebibytes(
            32.2, 32.4, 34.3, 33.3, 33.3, 33.4, 51.2, 51.0, 56.5, 45.3, 43.4, 49.3, 50.5, 53.5);
    assertThat(ServiceLevels.heapSteps(tookTheLead.subList(1, tookTheLead.size()), 4 * MIB))
        .containsExactly(5);
    assertThat(ServiceLevels.judgedHeap(tookTheLead, 1, 4, 4 * MIB))
        .hasValueSatisfying(judged -> assertThat(judged).hasSize(8));
    assertThat(ServiceLevels.heapGrowth(tookTheLead, 1, 4, 4 * MIB)).isEmpty();
    // Too few samples after the step to say.
    List<Long> steppedLate = mebibytes(31.2, 31.9, 31.0, 53.5, 47.2, 44.0, 47.5, 49.8, 51.2);
    assertThat(ServiceLevels.judgedHeap(steppedLate, 1, 4, 4 * MIB)).isEmpty();
    assertThat(ServiceLevels.heapGrowth(steppedLate, 1, 4, 4 * MIB)).isEmpty();
    List<Long> steppedLast = mebibytes(29.9, 30.1, 30.8, 47.9, 49.8, 50.8);
    assertThat(ServiceLevels.heapGrowth(steppedLast, 1, 4, 4 * MIB)).isEmpty();
    // The longest-lived replica of that run, 44 samples around 50 MiB: no step, judged whole.
    List<Long> longLived =
        mebibytes(
            34.9, 47.8, 49.4, 46.7, 51.8, 44.6, 47.5, 46.8, 53.2, 51.1, 45.8, 51.3, 52.9, 51.1,
            50.0, 43.5, 55.8, 53.1, 54.1, 49.1, 49.7, 43.2, 56.9, 51.4, 51.4, 49.8, 50.1, 44.1,
            54.1, 44.1, 54.0, 51.1, 52.6, 46.5, 51.4, 43.8, 50.9, 54.0, 52.7, 46.6, 43.7, 54.3,
            45.7, 53.3);
    assertThat(ServiceLevels.heapSteps(longLived.subList(1, longLived.size()), 4 * MIB)).isEmpty();
    assertThat(ServiceLevels.judgedHeap(longLived, 1, 4, 4 * MIB))
        .hasValueSatisfying(judged -> assertThat(judged).hasSize(43));
    assertThat(ServiceLevels.heapGrowth(longLived, 1, 4, 4 * MIB)).isEmpty();
  }

  @Test
  void aLeakIsFoundAfterAStepAndInStepsThatNeverComeDown() {
    // Stepped to a new level, then kept climbing from it.
    List<Long> leakingAfterStep =
        mebibytes(33.0, 33.1, 33.0, 50.0, 52.0, 54.0, 56.0, 58.0, 60.0, 62.0, 64.0);
    assertThat(ServiceLevels.heapGrowth(leakingAfterStep, 1, 4, 4 * MIB))
        .hasValueSatisfying(
            finding ->
                assertThat(finding)
                    .contains("after stepping up to 50.0 MiB")
                    .contains("floor from 50.0 MiB to 58.0 MiB"));
    // A steady climb of 2 MiB a window, no step: judged over everything after the warm-up.
    List<Long> climbing = mebibytes(30, 32, 34, 36, 38, 40, 42, 44, 46, 48);
    assertThat(ServiceLevels.heapSteps(climbing, 4 * MIB)).isEmpty();
    assertThat(ServiceLevels.heapGrowth(climbing, 1, 4, 4 * MIB)).isPresent();
    // A fast leak: every window a step that stays, more steps than leadership and proxies explain.
    List<Long> stairs = mebibytes(30, 30, 30, 45, 45, 45, 60, 60, 60, 75, 75, 75);
    assertThat(ServiceLevels.heapSteps(stairs.subList(1, stairs.size()), 4 * MIB)).hasSize(3);
    assertThat(ServiceLevels.heapGrowth(stairs, 1, 4, 4 * MIB))
        .hasValueSatisfying(finding -> assertThat(finding).startsWith("stepped up 3 times"));
    // Two steps (leadership, then a killed replica's proxies) and a plateau: not growth.
    List<Long> twoSteps = mebibytes(30, 30, 30, 45, 45, 45, 60, 60, 61, 60, 59, 60, 61, 60, 60);
    assertThat(ServiceLevels.heapGrowth(twoSteps, 1, 4, 4 * MIB)).isEmpty();
  }

  private static List<Long> mebibytes(double... values) {
    return java.util.Arrays.stream(values).mapToObj(v -> (long) (v * MIB)).toList();
  }

  @Test
  void risesWithinTheToleranceAreNoise() {
    List<Long> creeping = List.of(1L, 40 * MIB, 41 * MIB, 42 * MIB, 44 * MIB);

    assertThat(ServiceLevels.heapGrowth(creeping, 1, 4, 4 * MIB)).isEmpty();
    assertThat(ServiceLevels.heapGrowth(creeping, 1, 4, 3 * MIB)).isPresent();
  }

  @Test
  void tooFewSamplesCannotBeJudged() {
    List<Long> young = List.of(10 * MIB, 40 * MIB, 46 * MIB, 52 * MIB);

    assertThat(ServiceLevels.judgeable(young, 1, 4)).isFalse();
    assertThat(ServiceLevels.heapGrowth(young, 1, 4, 4 * MIB)).isEmpty();
    assertThat(ServiceLevels.judgeable(young, 1, 3)).isTrue();
    assertThat(ServiceLevels.heapGrowth(young, 1, 3, 4 * MIB)).isPresent();
    assertThatThrownBy(() -> ServiceLevels.judgeable(young, 1, 1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anErrorLineIsExplainedOnlyByItsFaultWhileTheFaultLasts() {
    ServiceLevels levels = new ServiceLevels();
    levels.disruption(
        "API server restart", T0.plusSeconds(10), T0.plusSeconds(20), Set.of("API writes"));
    List<ServiceLevels.Explanation> explanations =
        List.of(
            new ServiceLevels.Explanation(
                "API server restart", "ConnectionBase", "Connection reset"));
    String inside =
        "2026-11-21T10:00:12.469Z ERROR i.vertx.core.net.impl.ConnectionBase - Connection reset";
    String after =
        "2026-11-21T10:00:25.000Z ERROR i.vertx.core.net.impl.ConnectionBase - Connection reset";
    String otherMessage =
        "2026-11-21T10:00:12.469Z ERROR i.vertx.core.net.impl.ConnectionBase - Broken pipe";
    String otherLogger =
        "2026-11-21T10:00:12.469Z ERROR d.fairlead.app.ConfigPublisher - Connection reset";
    String json =
        "{\"timestamp\":"
            + T0.plusSeconds(15).toEpochMilli()
            + ",\"level\":\"ERROR\",\"loggerName\":"
            + "\"io.vertx.core.net.impl.ConnectionBase\",\"formattedMessage\":\"Connection reset\"}";
    String jsonInfo =
        "{\"timestamp\":"
            + T0.plusSeconds(30).toEpochMilli()
            + ",\"level\":\"INFO\",\"loggerName\":"
            + "\"x.Y\",\"formattedMessage\":\"fine\"}";
    String info =
        "2026-11-21T10:00:12.469Z INFO  d.fairlead.app.ConfigPublisher - Serving fleet default/edge";

    assertThat(
            levels.unexplainedErrors(
                List.of(inside, after, otherMessage, otherLogger, json, jsonInfo, info),
                explanations))
        .containsExactly(after, otherMessage, otherLogger);
  }

  @Test
  void theTableSaysPassOrFailPerCheck() {
    String table =
        ServiceLevels.table(
            List.of(
                new ServiceLevels.Row("traffic", ">= 99.9 %", "100 %", true),
                new ServiceLevels.Row("ERROR log lines", "0", "2", false),
                ServiceLevels.Row.skipped("upgrade", "both ways", "no previous commit")));

    assertThat(table.lines()).hasSize(4);
    assertThat(table.lines().toList().get(1)).startsWith("traffic").endsWith("PASS");
    assertThat(table.lines().toList().get(2)).startsWith("ERROR log lines").endsWith("FAIL");
    assertThat(table.lines().toList().get(3))
        .startsWith("upgrade")
        .contains("no previous commit")
        .endsWith("SKIP");
  }
}
