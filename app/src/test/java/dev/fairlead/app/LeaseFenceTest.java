package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseFenceTest {

  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private final AtomicLong now = new AtomicLong(5_000);
  private final LeaseFence fence = new LeaseFence(DEADLINE, now::get);

  @Test
  void openWhileLeadingWithARenewalSentWithinTheDeadlineAndClosedOnceItIsOlder() {
    assertThat(fence.holds()).as("never renewed").isFalse();
    fence.renewed(fence.now());
    assertThat(fence.holds()).as("renewed, not yet leading").isFalse();
    fence.leading(true);
    assertThat(fence.holds()).isTrue();

    now.addAndGet(DEADLINE.minusMillis(1).toNanos());
    assertThat(fence.holds()).isTrue();
    now.addAndGet(Duration.ofMillis(1).toNanos());
    assertThat(fence.holds()).as("frozen past the renew deadline: nothing renewed since").isFalse();

    fence.renewed(fence.now());
    assertThat(fence.holds()).as("holding the Lease again").isTrue();
    fence.renewed(fence.now() - DEADLINE.toNanos());
    assertThat(fence.holds())
        .as("an older renewal finishing late does not move the fence back")
        .isTrue();
  }

  @Test
  void releasingTheLeaseOrStoppingToLeadClosesItAtOnce() {
    fence.leading(true);
    fence.renewed(fence.now());
    fence.released();
    assertThat(fence.holds()).isFalse();

    fence.renewed(fence.now());
    fence.leading(false);
    assertThat(fence.holds()).isFalse();
  }

  @Test
  void theLockTellsTheFenceOfEachSuccessfulWriteForThisReplicaWithTheTimeItWasSent() {
    AtomicLong writes = new AtomicLong();
    Lock lease =
        new Lock() {
          @Override
          public LeaderElectionRecord get(KubernetesClient client) {
            return null;
          }

          @Override
          public void create(KubernetesClient client, LeaderElectionRecord record) {
            writes.incrementAndGet();
            now.addAndGet(DEADLINE.toNanos());
          }

          @Override
          public void update(KubernetesClient client, LeaderElectionRecord record) {
            if (record.getHolderIdentity().equals("stuck")) {
              throw new KubernetesClientException("conflict");
            }
            writes.incrementAndGet();
          }

          @Override
          public String identity() {
            return "fairlead-a";
          }

          @Override
          public String describe() {
            return "Lease default/fairlead";
          }
        };
    FencedLeaseLock lock = new FencedLeaseLock(lease, fence);
    fence.leading(true);

    lock.create(null, record("fairlead-a"));
    assertThat(fence.holds())
        .as("a write that took the whole deadline renews nothing that is still valid")
        .isFalse();
    lock.update(null, record("fairlead-a"));
    assertThat(fence.holds()).isTrue();
    lock.update(null, record(""));
    assertThat(fence.holds()).as("released").isFalse();
    assertThatThrownBy(() -> lock.update(null, record("stuck")))
        .isInstanceOf(KubernetesClientException.class);
    assertThat(writes).hasValue(3);
    assertThat(lock.identity()).isEqualTo("fairlead-a");
  }

  @Test
  void aClosedFenceKeepsEveryWriteOfItsClientFromBeingSentAndLetsReadsThrough() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Config config =
        new ConfigBuilder()
            .withMasterUrl("http://127.0.0.1:" + closedPort)
            .withRequestRetryBackoffLimit(0)
            .withConnectionTimeout(2_000)
            .build();
    try (KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(config)
            .withHttpClientBuilderConsumer(
                builder -> builder.addOrReplaceInterceptor("fence", fence))
            .build()) {
      var map =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("m")
              .withNamespace("default")
              .endMetadata()
              .build();

      assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(map).create())
          .isInstanceOf(KubernetesClientException.class)
          .hasMessageContaining(
              "POST /api/v1/namespaces/default/configmaps not sent: this replica no longer holds "
                  + "the leader Lease");
      assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("m").delete())
          .hasMessageContaining("DELETE /api/v1/namespaces/default/configmaps/m not sent");
      assertThatThrownBy(() -> client.configMaps().inNamespace("default").withName("m").get())
          .as("a read is sent, and finds no server")
          .isInstanceOf(KubernetesClientException.class)
          .satisfies(
              e ->
                  assertThat(e)
                      .hasStackTraceContaining("onnect")
                      .message()
                      .doesNotContain("not sent"));
    }
  }

  private static LeaderElectionRecord record(String holder) {
    ZonedDateTime time = ZonedDateTime.parse("2030-01-01T00:00:00Z");
    return new LeaderElectionRecord(holder, Duration.ofSeconds(15), time, time, 0);
  }
}
