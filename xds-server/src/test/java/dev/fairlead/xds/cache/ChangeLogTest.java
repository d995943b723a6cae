package dev.fairlead.xds.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ChangeLogTest {

  @Test
  void theFirstChangeAfterWhatAProxyHoldsIsTheOneItsConvergenceIsTimedFrom() {
    ChangeLog log = new ChangeLog();
    assertThat(log.latest()).isZero();
    assertThat(log.observedAfter(0)).isEqualTo(-1);

    log.record(100);
    log.record(200);
    log.record(300);

    assertThat(log.latest()).isEqualTo(3);
    assertThat(log.observedAfter(0)).isEqualTo(100);
    assertThat(log.observedAfter(1)).isEqualTo(200);
    assertThat(log.observedAfter(3)).as("holds the latest: nothing to time").isEqualTo(-1);
  }

  @Test
  void aProxyFurtherBehindThanTheLogKeepsIsTimedFromTheOldestChangeKept() {
    ChangeLog log = new ChangeLog();
    for (int i = 1; i <= ChangeLog.KEPT + 10; i++) {
      log.record(i * 1000L);
    }

    assertThat(log.observedAfter(0)).isEqualTo(11 * 1000L);
    assertThat(log.observedAfter(ChangeLog.KEPT + 9)).isEqualTo((ChangeLog.KEPT + 10) * 1000L);
  }
}
