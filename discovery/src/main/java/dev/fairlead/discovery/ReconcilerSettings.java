package dev.fairlead.discovery;

import dev.fairlead.runtime.CoalescingDelay;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link UpstreamReconciler} runs.
 *
 * @param coalescing how events about one Service coalesce into one reconcile
 * @param workers how many Services are reconciled at once; at least 1
 * @param resyncPeriod how often every Service is reconciled again even without events (a safety
 *     net; in steady state it writes nothing); zero for never
 */
public record ReconcilerSettings(CoalescingDelay coalescing, int workers, Duration resyncPeriod) {

  /** Default coalescing, four workers, a resync every ten minutes. */
  public static final ReconcilerSettings DEFAULT =
      new ReconcilerSettings(CoalescingDelay.DEFAULT, 4, Duration.ofMinutes(10));

  public ReconcilerSettings {
    Objects.requireNonNull(coalescing, "coalescing");
    Objects.requireNonNull(resyncPeriod, "resyncPeriod");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    if (resyncPeriod.isNegative()) {
      throw new IllegalArgumentException("resyncPeriod must not be negative, was " + resyncPeriod);
    }
  }
}
