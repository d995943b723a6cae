package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.reporter.ProxyTally;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerRecordsTest {

  private final AtomicLong now = new AtomicLong(1_000);
  private final PeerRecords peers = new PeerRecords("fairlead-a", Duration.ofSeconds(20), now::get);

  private static ReplicaProxies record(String replica, int connected) {
    return new ReplicaProxies(
        replica,
        Map.of("Upstream default/blue", new ProxyTally(connected, connected, 0)),
        Map.of(),
        List.of(),
        0);
  }

  @Test
  void aRecordCountsUntilItHasNotChangedForTheTtlAndAChangeRenewsIt() {
    peers.observed("fairlead-proxies-fairlead-b", "1", record("fairlead-b", 1));
    now.addAndGet(Duration.ofSeconds(19).toNanos());
    assertThat(peers.live()).containsExactly(record("fairlead-b", 1));

    peers.observed("fairlead-proxies-fairlead-b", "1", record("fairlead-b", 1));
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(peers.live()).as("the same resourceVersion again is no sign of life").isEmpty();

    peers.observed("fairlead-proxies-fairlead-b", "2", record("fairlead-b", 2));
    assertThat(peers.live()).containsExactly(record("fairlead-b", 2));
  }

  @Test
  void itsOwnRecordIsIgnoredAndADeletedOneIsForgotten() {
    peers.observed("fairlead-proxies-fairlead-a", "1", record("fairlead-a", 1));
    peers.observed("fairlead-proxies-fairlead-c", "1", record("fairlead-c", 1));
    assertThat(peers.live()).containsExactly(record("fairlead-c", 1));

    peers.removed("fairlead-proxies-fairlead-c");
    assertThat(peers.live()).isEmpty();
  }

  @Test
  void recordsNotChangedForLongerThanAnAgeAreListedForDeletion() {
    peers.observed("fairlead-proxies-gone", "1", record("gone", 1));
    now.addAndGet(Duration.ofSeconds(30).toNanos());
    peers.observed("fairlead-proxies-alive", "1", record("alive", 1));
    now.addAndGet(Duration.ofSeconds(30).toNanos());

    assertThat(peers.olderThan(Duration.ofSeconds(60))).containsExactly("fairlead-proxies-gone");
  }

  @Test
  void objectNamesAreValidWhateverTheIdentity() {
    assertThat(ReplicaRecords.objectName("Fairlead_A.1"))
        .isEqualTo("fairlead-proxies-fairlead-a-1");
    assertThat(ReplicaRecords.objectName("___")).isEqualTo("fairlead-proxies-replica");
    assertThat(ReplicaRecords.objectName("x".repeat(300))).hasSize(253);
  }
}
