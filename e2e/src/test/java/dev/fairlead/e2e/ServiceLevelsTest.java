package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ServiceLevelsTest {

  private static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");

  @Test
  void failuresInsideAnnouncedDisruptionsDoNotCount() {
    ServiceLevels levels = new ServiceLevels();
    levels.disruption("Envoy restart", T0.plusSeconds(10), T0.plusSeconds(20));
    levels.request(T0.plusSeconds(5), true);
    levels.request(T0.plusSeconds(15), false);
    levels.request(T0.plusSeconds(25), false);

    assertThat(levels.trafficOutsideDisruptions()).containsExactly(3, 1);
  }

  @Test
  void countsAndMaximaAddUpFromManyThreads() throws Exception {
    ServiceLevels levels = new ServiceLevels();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    for (int t = 0; t < 8; t++) {
      int thread = t;
      pool.submit(() -> {
        for (int i = 0; i < 10_000; i++) {
          levels.count("requests");
          levels.max("lag", thread * 10_000L + i);
          levels.request(T0, i % 1000 != 0);
        }
      });
    }
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

    assertThat(levels.counter("requests")).isEqualTo(80_000);
    assertThat(levels.maximum("lag")).isEqualTo(79_999);
    assertThat(levels.trafficOutsideDisruptions()).containsExactly(80_000, 80);
  }

  @Test
  void theTableSaysPassOrFailPerCheck() {
    String table = ServiceLevels.table(List.of(new ServiceLevels.Row("traffic", ">= 99.9 %", "100 %", true),
        new ServiceLevels.Row("ERROR log lines", "0", "2", false)));

    assertThat(table.lines()).hasSize(3);
    assertThat(table.lines().toList().get(1)).startsWith("traffic").endsWith("PASS");
    assertThat(table.lines().toList().get(2)).startsWith("ERROR log lines").endsWith("FAIL");
  }
}
