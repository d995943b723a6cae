package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The warm-up serves its simulated proxies every step of a round (4 responses each to connect, 2
 * for a full push, 1 for each of 5 single changes) over a real loopback server, and stops at its
 * budget.
 */
class XdsWarmUpTest {

  @Test
  void everyProxyIsAnsweredEveryStepOfEveryRound() {
    XdsWarmUp.Result result = new XdsWarmUp(6, 20).run(Duration.ofMillis(300));

    assertThat(result.endedEarly()).isEmpty();
    assertThat(result.rounds()).isPositive();
    assertThat(result.responses()).isGreaterThanOrEqualTo(result.rounds() * 6 * (4 + 2 + 5));
    // A round already begun is finished, each step within its own timeout.
    assertThat(result.took()).isLessThan(Duration.ofSeconds(30));
  }

  @Test
  void noBudgetNoWarmUp() {
    assertThat(new XdsWarmUp(2, 1).run(Duration.ZERO))
        .isEqualTo(new XdsWarmUp.Result(0, 0, Duration.ZERO, java.util.Optional.empty()));
    assertThatThrownBy(() -> new XdsWarmUp(1, 10)).isInstanceOf(IllegalArgumentException.class);
  }
}
