package dev.fairlead.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The load generator against Fairlead in this JVM, 20 clients × 50 upstreams, both ADS modes: every
 * client converges on every change — connecting, a full push, single endpoint changes, a burst of
 * churn, and (delta) a restart with a deletion — and ends holding exactly the current resources.
 * Two clients NACK their first cluster response. Correctness only: nothing here looks at a time.
 */
class LoadGeneratorSmokeTest {

  private static final int CLIENTS = 20;
  private static final int UPSTREAMS = 50;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sotw", "delta"})
  void everyClientConvergesOnEveryChange(String mode) throws InterruptedException {
    boolean delta = mode.equals("delta");
    ScenarioRun.Settings settings =
        new ScenarioRun.Settings(
            "smoke", UPSTREAMS, 1, CLIENTS, delta, 2, 3, 1, Duration.ofSeconds(10));
    try (ScenarioRun run = new ScenarioRun(settings, () -> new InProcessServer(Peer.FAIRLEAD))) {
      assertConverged(run.connect("connect"), 1);
      assertConverged(run.updateAll("update-all"), 1);
      assertConverged(run.endpointChanges("endpoint", 5), 5);
      assertConverged(run.churn("churn", 50, Duration.ofSeconds(1)), 50);
      if (delta) {
        assertConverged(run.restart("restart"), 1);
      }
      assertThat(run.mismatches()).isEmpty();
      assertThat(run.stats().totals().nacks()).isEqualTo(2);
      assertThat(run.stats().totals().streamErrors()).isZero();
      assertThat(run.stats().totals().unexpected()).isZero();
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"sotw", "delta"})
  void everyClientConvergesOnEveryChangeOfServicesWithManyEndpoints(String mode)
      throws InterruptedException {
    ScenarioRun.Settings settings =
        new ScenarioRun.Settings(
            "smoke-wide", 3, 250, 5, mode.equals("delta"), 0, 2, 1, Duration.ofSeconds(10));
    try (ScenarioRun run = new ScenarioRun(settings, () -> new InProcessServer(Peer.FAIRLEAD))) {
      PhaseResult idle = run.idle("idle, no clients", Duration.ofMillis(100));
      assertThat(idle.changes()).isZero();
      assertConverged(run.connect("connect"), 1);
      assertConverged(run.endpointChanges("endpoint", 3), 3);
      assertThat(run.mismatches()).isEmpty();
      assertThat(run.stats().totals().streamErrors()).isZero();
      assertThat(run.stats().totals().unexpected()).isZero();
    }
  }

  private static void assertConverged(PhaseResult result, int changes) {
    assertThat(result.changes()).as(result.phase()).isEqualTo(changes);
    assertThat(result.converged())
        .as("%s: changes every client converged on", result.phase())
        .isEqualTo(changes);
    assertThat(result.bytes()).as(result.phase()).isPositive();
  }
}
