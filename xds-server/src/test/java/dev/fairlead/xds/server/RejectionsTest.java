package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.Proxy;
import dev.fairlead.xds.cache.ResourceType;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RejectionsTest {

  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");
  private static final Proxy PROXY = new Proxy("n1", "default/edge", Audience.ENVOY);

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private final Rejections rejections = new Rejections(Clock.fixed(NOW, ZoneOffset.UTC));

  @Test
  void aRejectionStandsUntilClearedAndTheLastOneOutlivesIt() {
    assertThat(rejections.reject(PROXY, ResourceType.CLUSTER, "1-a", List.of("b", "a"), "bad"))
        .isTrue();

    Nack nack =
        new Nack("n1", "default/edge", ResourceType.CLUSTER, "1-a", List.of("b", "a"), "bad");
    assertThat(rejections.standing(ResourceType.CLUSTER)).hasValue(nack);
    assertThat(rejections.any()).isTrue();

    assertThat(rejections.clear(PROXY, ResourceType.CLUSTER, "accepted version 2-b")).isTrue();
    assertThat(rejections.clear(PROXY, ResourceType.CLUSTER, "accepted version 2-b")).isFalse();
    assertThat(rejections.standing()).isEmpty();
    assertThat(rejections.any()).isFalse();
    assertThat(rejections.last())
        .containsEntry(ResourceType.CLUSTER, new ProxyStatus.LastNack(nack, NOW));
  }

  @Test
  void theSameRejectionAgainChangesNothingAndIsLoggedOnce() {
    rejections.reject(PROXY, ResourceType.ROUTE, "1-a", List.of("r"), "bad");

    assertThat(rejections.reject(PROXY, ResourceType.ROUTE, "1-a", List.of("r"), "bad")).isFalse();
    assertThat(rejections.reject(PROXY, ResourceType.ROUTE, "1-a", List.of("r"), "worse")).isTrue();
    assertThat(logs.lines()).filteredOn(line -> line.contains("rejected RDS")).hasSize(2);
  }
}
