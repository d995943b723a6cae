package dev.fairlead.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class CoalescingWorkQueueTest {

  @Test
  void aBurstOfAddsIsWorkedOnOnce() {
    LongAdder runs = new LongAdder();
    try (CoalescingWorkQueue<String> queue =
        new CoalescingWorkQueue<>(
            "test",
            new CoalescingDelay(Duration.ofMillis(200), Duration.ofSeconds(5)),
            2,
            key -> runs.increment())) {
      queue.start();
      for (int i = 0; i < 1000; i++) {
        queue.add("k");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.sum() == 1 && queue.size() == 0);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(2))
          .until(() -> runs.sum() == 1);
    }
  }

  @Test
  void aSteadyTrickleStillGetsWorkDoneWithinTheMaximum() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
    try (CoalescingWorkQueue<String> queue =
        new CoalescingWorkQueue<>(
            "test",
            new CoalescingDelay(Duration.ofMillis(100), Duration.ofMillis(300)),
            1,
            key -> runs.incrementAndGet())) {
      queue.start();
      // An add every 10 ms never leaves 100 ms of quiet: only the 300 ms maximum lets work through.
      var unused = trickle.scheduleAtFixedRate(() -> queue.add("k"), 0, 10, TimeUnit.MILLISECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> runs.get() >= 3);
    } finally {
      trickle.shutdownNow();
      trickle.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aKeyAddedWhileItRunsRunsAgainAfterwards() throws Exception {
    CountDownLatch firstRunStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstRun = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    try (CoalescingWorkQueue<String> queue =
        new CoalescingWorkQueue<>(
            "test",
            new CoalescingDelay(Duration.ZERO, Duration.ZERO),
            4,
            key -> {
              if (runs.incrementAndGet() == 1) {
                firstRunStarted.countDown();
                awaitQuietly(releaseFirstRun);
              }
            })) {
      queue.start();
      queue.add("k");
      assertThat(firstRunStarted.await(10, TimeUnit.SECONDS)).isTrue();
      queue.add("k");
      queue.add("k");
      // Three idle workers, but none may take "k" while it runs.
      await()
          .during(Duration.ofMillis(300))
          .atMost(Duration.ofSeconds(2))
          .until(() -> runs.get() == 1);
      releaseFirstRun.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() == 2 && queue.size() == 0);
    }
  }

  @Test
  void manyThreadsAddingNeverGetTwoWorkersOnOneKeyAndEveryAddIsFollowedByARun() throws Exception {
    int keys = 16;
    Map<Integer, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    Map<Integer, AtomicLong> lastAdd = new ConcurrentHashMap<>();
    Map<Integer, AtomicLong> lastRunStart = new ConcurrentHashMap<>();
    AtomicBoolean overlap = new AtomicBoolean();
    LongAdder runs = new LongAdder();
    for (int k = 0; k < keys; k++) {
      inFlight.put(k, new AtomicInteger());
      lastAdd.put(k, new AtomicLong());
      lastRunStart.put(k, new AtomicLong());
    }
    ExecutorService adders = Executors.newFixedThreadPool(8);
    try (CoalescingWorkQueue<Integer> queue =
        new CoalescingWorkQueue<>(
            "test",
            new CoalescingDelay(Duration.ZERO, Duration.ofMillis(1)),
            8,
            key -> {
              runs.increment();
              lastRunStart.get(key).set(System.nanoTime());
              if (inFlight.get(key).incrementAndGet() > 1) {
                overlap.set(true);
              }
              long until = System.nanoTime() + ThreadLocalRandom.current().nextLong(50_000);
              while (System.nanoTime() < until) {
                Thread.onSpinWait();
              }
              inFlight.get(key).decrementAndGet();
            })) {
      queue.start();
      List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < 8; t++) {
        futures.add(
            adders.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    int key = ThreadLocalRandom.current().nextInt(keys);
                    lastAdd.get(key).accumulateAndGet(System.nanoTime(), Math::max);
                    queue.add(key);
                  }
                }));
      }
      for (java.util.concurrent.Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> queue.size() == 0);

      assertThat(overlap).isFalse();
      for (int k = 0; k < keys; k++) {
        assertThat(lastRunStart.get(k).get())
            .as("key %d ran after its last add", k)
            .isGreaterThan(lastAdd.get(k).get());
      }
      assertThat(runs.sum()).isLessThan(8 * 20_000);
    } finally {
      adders.shutdownNow();
    }
  }

  @Test
  void addAfterWaitsAtLeastTheDelay() {
    AtomicLong ranAt = new AtomicLong();
    try (CoalescingWorkQueue<String> queue =
        new CoalescingWorkQueue<>(
            "test", CoalescingDelay.DEFAULT, 1, key -> ranAt.set(System.nanoTime()))) {
      queue.start();
      long added = System.nanoTime();
      queue.addAfter("k", Duration.ofMillis(400));
      await().atMost(Duration.ofSeconds(10)).until(() -> ranAt.get() != 0);
      assertThat(Duration.ofNanos(ranAt.get() - added))
          .isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }
  }

  @Test
  void closeStopsTheWorkersAndDropsWaitingKeys() {
    LongAdder runs = new LongAdder();
    CoalescingWorkQueue<String> queue =
        new CoalescingWorkQueue<>(
            "test",
            new CoalescingDelay(Duration.ofSeconds(1), Duration.ofSeconds(1)),
            2,
            key -> runs.increment());
    queue.start();
    queue.add("k");
    queue.close();
    queue.add("later");

    assertThat(queue.size()).isZero();
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> runs.sum() == 0);
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
