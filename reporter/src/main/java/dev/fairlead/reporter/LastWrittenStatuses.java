package dev.fairlead.reporter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.Objects;
import java.util.Optional;

/**
 * The status last written (or found already in place) per object, keyed by the object's UID — never
 * by name: a deleted and recreated object with the same name has a new UID, so nothing its
 * predecessor was given can ever be taken for its own. Values are statuses in {@link
 * StatusKind#comparable comparable} form. {@link WriteDecision} says what an entry is used for.
 *
 * <p>An entry is invalidated when its object is deleted (informer delete event), when a write to it
 * fails, and all entries when the writing side stops. An entry left for an object deleted while its
 * write was in flight only takes room until evicted: UIDs are never reused. Bounded by size (least
 * recently used out first).
 *
 * <p>Metrics: Micrometer's Caffeine binder under the cache name {@value #CACHE_NAME} ({@code
 * cache_gets_total{cache="fairlead_status",result="hit|miss"}}, {@code cache_size}, {@code
 * cache_evictions_total} …).
 *
 * <p>Thread-safe (a Caffeine cache). Callers make sure only one thread at a time works on one
 * object, so entries of one UID are not raced.
 */
final class LastWrittenStatuses {

  static final String CACHE_NAME = "fairlead_status";

  private final Cache<String, Object> cache;

  LastWrittenStatuses(long maximumSize, MeterRegistry registry) {
    if (maximumSize < 1) {
      throw new IllegalArgumentException("maximumSize must be at least 1, was " + maximumSize);
    }
    this.cache =
        CaffeineCacheMetrics.monitor(
            registry,
            Caffeine.newBuilder().maximumSize(maximumSize).recordStats().<String, Object>build(),
            CACHE_NAME);
  }

  /** What was last written for {@code uid}, if anything is known. */
  Optional<Object> get(String uid) {
    return uid == null || uid.isEmpty()
        ? Optional.empty()
        : Optional.ofNullable(cache.getIfPresent(uid));
  }

  /** Records that {@code uid} carries {@code status} now. Objects without a UID are not cached. */
  void put(String uid, Object status) {
    Objects.requireNonNull(status, "status");
    if (uid != null && !uid.isEmpty()) {
      cache.put(uid, status);
    }
  }

  void invalidate(String uid) {
    if (uid != null && !uid.isEmpty()) {
      cache.invalidate(uid);
    }
  }

  void invalidateAll() {
    cache.invalidateAll();
  }

  /** Entries held, after pending evictions are done. */
  long size() {
    cache.cleanUp();
    return cache.estimatedSize();
  }
}
