package dev.fairlead.xds.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The resources of one type for one fleet, with a version for the whole set — and one for the
 * subset Envoy is sent, without resources meant for xDS clients only — each maintained
 * incrementally: the sum (mod 2^64, per half) of every member's 128-bit content hash, plus the
 * member count. Adding, replacing or removing a resource costs O(1), and the version does not
 * depend on insertion order, so two replicas holding the same resources report the same version.
 *
 * <p>Every put or removal that changes something gets the next sequence number, and the set
 * remembers the last number of each name — of removed names too, up to a bound — so a stream that
 * holds everything as of number {@code n} is brought up to date by looking at {@link #changedSince
 * changedSince(n)} alone, not at every resource. A stream further behind than {@link #floor()} must
 * look at everything.
 *
 * <p>Not thread-safe: {@link XdsCache} guards each fleet's resources with the fleet's lock.
 */
final class TypeResources {

  /**
   * Removed names remembered beyond this many (or beyond the live count, if larger) are forgotten,
   * oldest first.
   */
  static final int MIN_TOMBSTONES = 1024;

  private final Map<String, EncodedResource> byName = new HashMap<>();

  /** name → sequence number of its last change, for live and removed names. */
  private final Map<String, Long> lastChange = new HashMap<>();

  /** sequence number → the name it changed; the inverse of {@link #lastChange}. */
  private final TreeMap<Long, String> changes = new TreeMap<>();

  private long sequence;
  private long floor;

  /**
   * The last {@link #subset} asked for (by identity), as of which sequence number, and what it
   * found.
   */
  private Collection<String> subsetOf;

  private long subsetAt = -1;
  private List<EncodedResource> subsetFound = List.of();
  private int tombstones;

  /** All resources sorted by name, until the next change. */
  private List<EncodedResource> sorted;

  private long sumHigh;
  private long sumLow;
  private int envoyCount;
  private long envoySumHigh;
  private long envoySumLow;

  /**
   * Puts a resource; returns whether anything changed (a resource with the same version is no
   * change).
   */
  boolean put(EncodedResource resource) {
    EncodedResource previous = byName.put(resource.name(), resource);
    if (previous != null && previous.version().equals(resource.version())) {
      return false;
    }
    if (previous != null) {
      subtract(previous);
    } else if (lastChange.containsKey(resource.name())) {
      tombstones--;
    }
    changed(resource.name());
    sumHigh += resource.hashHigh();
    sumLow += resource.hashLow();
    if (!resource.forXdsClientsOnly()) {
      envoyCount++;
      envoySumHigh += resource.hashHigh();
      envoySumLow += resource.hashLow();
    }
    return true;
  }

  /** Removes a resource; returns whether it was there. */
  boolean remove(String name) {
    EncodedResource previous = byName.remove(name);
    if (previous == null) {
      return false;
    }
    subtract(previous);
    changed(name);
    tombstones++;
    forgetOldTombstones();
    return true;
  }

  private void changed(String name) {
    sorted = null;
    sequence++;
    Long before = lastChange.put(name, sequence);
    if (before != null) {
      changes.remove(before);
    }
    changes.put(sequence, name);
  }

  private void forgetOldTombstones() {
    int allowed = Math.max(MIN_TOMBSTONES, byName.size());
    if (tombstones <= allowed) {
      return;
    }
    var oldest = changes.entrySet().iterator();
    while (tombstones > allowed / 2 && oldest.hasNext()) {
      Map.Entry<Long, String> entry = oldest.next();
      if (!byName.containsKey(entry.getValue())) {
        oldest.remove();
        lastChange.remove(entry.getValue());
        tombstones--;
        floor = entry.getKey();
      }
    }
  }

  /** The sequence number of the latest change; 0 before the first. */
  long sequence() {
    return sequence;
  }

  /**
   * The oldest sequence number {@link #changedSince} can answer from: a stream that last looked at
   * an older one may have missed a removal and must look at everything.
   */
  long floor() {
    return floor;
  }

  /**
   * The names changed (put with new content, or removed) after sequence number {@code after},
   * oldest change first. A live view: do not change the set while iterating it.
   */
  Collection<String> changedSince(long after) {
    return changes.tailMap(after, false).values();
  }

  private void subtract(EncodedResource resource) {
    sumHigh -= resource.hashHigh();
    sumLow -= resource.hashLow();
    if (!resource.forXdsClientsOnly()) {
      envoyCount--;
      envoySumHigh -= resource.hashHigh();
      envoySumLow -= resource.hashLow();
    }
  }

  /** A copy of the current name-to-resource map, for encoding outside the fleet's lock. */
  Map<String, EncodedResource> copy() {
    return new HashMap<>(byName);
  }

  Optional<EncodedResource> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  Collection<String> names() {
    return byName.keySet();
  }

  /** The version of the whole set. */
  String version() {
    return versionOf(byName.size(), sumHigh, sumLow);
  }

  /** The version of what {@code audience} is sent. */
  String version(Audience audience) {
    return audience == Audience.ENVOY
        ? versionOf(envoyCount, envoySumHigh, envoySumLow)
        : version();
  }

  /**
   * All resources, sorted by name (responses are deterministic); an unmodifiable list, sorted once
   * per change.
   */
  List<EncodedResource> all() {
    if (sorted == null) {
      List<EncodedResource> all = new ArrayList<>(byName.values());
      all.sort(java.util.Comparator.comparing(EncodedResource::name));
      sorted =
          List.copyOf(
              all); // an immutable list: answers share it without copying (List.copyOf is a no-op)
    }
    return sorted;
  }

  /** All resources {@code audience} is sent, sorted by name. */
  List<EncodedResource> all(Audience audience) {
    List<EncodedResource> all = all();
    if (audience == Audience.ENVOY && envoyCount != byName.size()) {
      return all.stream().filter(resource -> !resource.forXdsClientsOnly()).toList();
    }
    return all;
  }

  /** Whether {@code audience} is sent {@code resource}. */
  static boolean visibleTo(EncodedResource resource, Audience audience) {
    return audience != Audience.ENVOY || !resource.forXdsClientsOnly();
  }

  /**
   * The named resources that exist, sorted by name; {@code names} must not change afterwards (it is
   * remembered).
   */
  List<EncodedResource> subset(Collection<String> names) {
    // Streams asking for the same names share one set (ResourceSets): a thousand proxies connecting
    // at once are answered from one lookup and sort, kept until the next change.
    if (names == subsetOf && subsetAt == sequence) {
      return subsetFound;
    }
    List<EncodedResource> found = new ArrayList<>();
    for (String name : names) {
      EncodedResource resource = byName.get(name);
      if (resource != null) {
        found.add(resource);
      }
    }
    found.sort(java.util.Comparator.comparing(EncodedResource::name));
    subsetOf = names;
    subsetAt = sequence;
    subsetFound = List.copyOf(found);
    return subsetFound;
  }

  static String versionOf(int count, long high, long low) {
    return count + "-" + Long.toHexString(high) + Long.toHexString(low);
  }
}
