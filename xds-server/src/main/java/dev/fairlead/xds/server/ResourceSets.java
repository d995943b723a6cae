package dev.fairlead.xds.server;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
import java.util.Collection;
import java.util.Set;

/**
 * Immutable sets of resource names, one instance per distinct set however many streams hold it:
 * proxies of one fleet subscribe to and hold the same names, so a thousand delta streams share one
 * set of 10,000 names instead of keeping a thousand. A set changes by replacing it ({@link #with},
 * {@link #without}); the old one is collected once no stream holds it. Names are interned too.
 *
 * <p>Thread-safe (Guava's weak interners).
 */
final class ResourceSets {

  private final Interner<String> names;
  private final Interner<Set<String>> sets = Interners.newWeakInterner();

  /**
   * The last set {@link #of} made or found per {@link #key}, so that it is found again without
   * building a copy; held weakly, so an entry goes once no stream holds its set.
   */
  private final Cache<Long, Set<String>> byContent = CacheBuilder.newBuilder().weakValues().build();

  ResourceSets(Interner<String> names) {
    this.names = names;
  }

  /** The one instance of {@code name}. */
  String name(String name) {
    return names.intern(name);
  }

  /**
   * The one instance of the set of {@code names}. A set that exists already is found without
   * building another: the common case, as every proxy of a fleet asks for the same names.
   */
  Set<String> of(Collection<String> names) {
    long key = key(names);
    Set<String> existing = byContent.getIfPresent(key);
    if (existing != null && existing.size() == names.size() && existing.containsAll(names)) {
      return existing;
    }
    Set<String> set = with(Set.of(), names);
    byContent.put(key, set);
    return set;
  }

  /**
   * The size and the sum of the names' hash codes: equal for equal sets of distinct names, whatever
   * the order.
   */
  private static long key(Collection<String> names) {
    int sum = 0;
    for (String name : names) {
      sum += name.hashCode();
    }
    return ((long) names.size() << 32) | (sum & 0xffffffffL);
  }

  /** {@code set} plus {@code added}: the same instance if nothing is new. */
  Set<String> with(Set<String> set, Collection<String> added) {
    if (set.containsAll(added)) {
      return set;
    }
    ImmutableSet.Builder<String> builder =
        ImmutableSet.builderWithExpectedSize(set.size() + added.size());
    builder.addAll(set);
    added.forEach(name -> builder.add(names.intern(name)));
    return sets.intern(builder.build());
  }

  /** {@code set} without {@code removed}: the same instance if none of them is in it. */
  Set<String> without(Set<String> set, Collection<String> removed) {
    if (removed.stream().noneMatch(set::contains)) {
      return set;
    }
    Set<String> gone = Set.copyOf(removed);
    ImmutableSet.Builder<String> builder = ImmutableSet.builderWithExpectedSize(set.size());
    for (String name : set) {
      if (!gone.contains(name)) {
        builder.add(name);
      }
    }
    return sets.intern(builder.build());
  }
}
