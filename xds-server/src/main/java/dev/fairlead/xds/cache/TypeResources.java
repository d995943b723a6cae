package dev.fairlead.xds.cache;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resources of one type for one fleet, with a version for the whole set — and one for the subset Envoy is
 * sent, without resources meant for xDS clients only — each maintained incrementally:
 * the sum (mod 2^64, per half) of every member's 128-bit content hash, plus the member count. Adding, replacing
 * or removing a resource costs O(1), and the version does not depend on insertion order, so two replicas holding
 * the same resources report the same version.
 *
 * <p>Not thread-safe: {@link XdsCache} guards each fleet's resources with the fleet's lock.
 */
final class TypeResources {

  private final Map<String, EncodedResource> byName = new HashMap<>();
  private long sumHigh;
  private long sumLow;
  private int envoyCount;
  private long envoySumHigh;
  private long envoySumLow;

  /** Puts a resource; returns whether anything changed (a resource with the same version is no change). */
  boolean put(EncodedResource resource) {
    EncodedResource previous = byName.put(resource.name(), resource);
    if (previous != null && previous.version().equals(resource.version())) {
      return false;
    }
    if (previous != null) {
      subtract(previous);
    }
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
    return true;
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

  int size() {
    return byName.size();
  }

  /** The version of the whole set. */
  String version() {
    return versionOf(byName.size(), sumHigh, sumLow);
  }

  /** The version of what {@code audience} is sent. */
  String version(Audience audience) {
    return audience == Audience.ENVOY ? versionOf(envoyCount, envoySumHigh, envoySumLow) : version();
  }

  /** All resources, sorted by name (responses are deterministic). */
  List<EncodedResource> all() {
    List<EncodedResource> all = new ArrayList<>(byName.values());
    all.sort(java.util.Comparator.comparing(EncodedResource::name));
    return all;
  }

  /** All resources {@code audience} is sent, sorted by name. */
  List<EncodedResource> all(Audience audience) {
    List<EncodedResource> all = all();
    if (audience == Audience.ENVOY) {
      all.removeIf(EncodedResource::forXdsClientsOnly);
    }
    return all;
  }

  /** The named resources that exist, sorted by name, and the version of exactly that subset. */
  Subset subset(Collection<String> names) {
    List<EncodedResource> found = new ArrayList<>();
    long high = 0;
    long low = 0;
    for (String name : names) {
      EncodedResource resource = byName.get(name);
      if (resource != null) {
        found.add(resource);
        high += resource.hashHigh();
        low += resource.hashLow();
      }
    }
    found.sort(java.util.Comparator.comparing(EncodedResource::name));
    return new Subset(found, versionOf(found.size(), high, low));
  }

  static String versionOf(int count, long high, long low) {
    return count + "-" + Long.toHexString(high) + Long.toHexString(low);
  }

  record Subset(List<EncodedResource> resources, String version) {
  }
}
