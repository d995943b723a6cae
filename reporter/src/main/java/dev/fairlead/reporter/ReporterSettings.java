package dev.fairlead.reporter;

import dev.fairlead.runtime.CoalescingDelay;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How the {@link StatusReporter} runs.
 *
 * @param namespaces the namespaces whose objects get status; empty for all (which needs
 *     cluster-wide read permissions and status update permissions)
 * @param workers how many objects are reconciled at once; at least 1
 * @param coalescing how requests to reconcile one object coalesce
 * @param cacheSize how many objects the last-written-status cache holds at most; at least 1
 * @param resyncPeriod how often every object is reconciled again even without events (a safety net;
 *     at steady state it writes nothing); zero for never
 * @param writeAttempts status writes tried per reconcile while they conflict; at least 1
 * @param firstConflictBackoff backoff before the first retry after a conflict; it doubles with each
 *     further one
 * @param maxConflictBackoff the longest backoff between two attempts
 */
public record ReporterSettings(
    Set<String> namespaces,
    int workers,
    CoalescingDelay coalescing,
    long cacheSize,
    Duration resyncPeriod,
    int writeAttempts,
    Duration firstConflictBackoff,
    Duration maxConflictBackoff) {

  /**
   * All namespaces, four workers, default coalescing, 100,000 cached statuses, a resync every ten
   * minutes, ten attempts per write with backoffs from 10 ms to 1 s.
   */
  public static final ReporterSettings DEFAULT =
      new ReporterSettings(
          Set.of(),
          4,
          CoalescingDelay.DEFAULT,
          100_000,
          Duration.ofMinutes(10),
          10,
          Duration.ofMillis(10),
          Duration.ofSeconds(1));

  public ReporterSettings {
    namespaces = Set.copyOf(namespaces);
    Objects.requireNonNull(coalescing, "coalescing");
    Objects.requireNonNull(resyncPeriod, "resyncPeriod");
    Objects.requireNonNull(firstConflictBackoff, "firstConflictBackoff");
    Objects.requireNonNull(maxConflictBackoff, "maxConflictBackoff");
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    if (cacheSize < 1) {
      throw new IllegalArgumentException("cacheSize must be at least 1, was " + cacheSize);
    }
    if (resyncPeriod.isNegative()) {
      throw new IllegalArgumentException("resyncPeriod must not be negative, was " + resyncPeriod);
    }
    if (writeAttempts < 1) {
      throw new IllegalArgumentException("writeAttempts must be at least 1, was " + writeAttempts);
    }
    if (firstConflictBackoff.isNegative()
        || maxConflictBackoff.compareTo(firstConflictBackoff) < 0) {
      throw new IllegalArgumentException(
          "conflict backoffs must satisfy 0 <= first <= max, were "
              + firstConflictBackoff
              + " and "
              + maxConflictBackoff);
    }
  }

  /** These settings, limited to {@code namespaces} (empty for all). */
  public ReporterSettings withNamespaces(Set<String> namespaces) {
    return new ReporterSettings(
        namespaces,
        workers,
        coalescing,
        cacheSize,
        resyncPeriod,
        writeAttempts,
        firstConflictBackoff,
        maxConflictBackoff);
  }

  /** These settings with a last-written-status cache of at most {@code cacheSize} entries. */
  public ReporterSettings withCacheSize(long cacheSize) {
    return new ReporterSettings(
        namespaces,
        workers,
        coalescing,
        cacheSize,
        resyncPeriod,
        writeAttempts,
        firstConflictBackoff,
        maxConflictBackoff);
  }
}
