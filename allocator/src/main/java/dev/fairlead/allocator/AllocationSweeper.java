package dev.fairlead.allocator;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link EndpointAllocator#sweep} every period on one daemon thread, freeing at most a bounded
 * number of expired or endpoint-gone allocations per run, so a backlog is worked off over several
 * runs rather than in one burst of deletes. Several replicas may sweep at once (each delete is
 * preconditioned), but one is enough: the application may run it on the leader only.
 */
public final class AllocationSweeper implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationSweeper.class);

  private final ScheduledExecutorService executor;

  public AllocationSweeper(EndpointAllocator allocator, Duration period, int maxPerRun) {
    Objects.requireNonNull(allocator, "allocator");
    if (maxPerRun < 1) {
      throw new IllegalArgumentException("maxPerRun must be at least 1, was " + maxPerRun);
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread thread = new Thread(r, "fairlead-allocation-sweeper");
              thread.setDaemon(true);
              return thread;
            });
    var unused =
        executor.scheduleWithFixedDelay(
            () -> {
              try {
                int freed = allocator.sweep(maxPerRun);
                if (freed > 0) {
                  LOG.debug("Freed {} expired or endpoint-gone allocations", freed);
                }
              } catch (RuntimeException e) {
                LOG.warn("Allocation sweep failed; the next run tries again", e);
              }
            },
            period.toMillis(),
            period.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
