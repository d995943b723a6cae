package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fairlead.app.admin.ProxiesDocument;
import dev.fairlead.reporter.ProxyTally;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.Nack;
import dev.fairlead.xds.server.ProxyStatus;
import dev.fairlead.xds.translate.FleetConfig;
import dev.fairlead.xds.translate.Translation;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * What the proxies connected to this replica hold of each object's configuration ({@link ReplicaProxies}), from the
 * translation served and each proxy's state. Pure.
 *
 * <p>An object's configuration goes to the proxies of every fleet holding a resource made from it; such a proxy
 * <ul>
 *   <li>rejects it when one of its standing rejections is about the object ({@link ProxyRejections#blamedObjects});</li>
 *   <li>else holds its current configuration when, for every type of resource made from the object in its fleet, it
 *       acknowledged the version the cache serves it now (versions are content hashes, so every replica serving the
 *       same configuration agrees on them);</li>
 *   <li>else is counted only as connected (it has not acknowledged the current version yet).</li>
 * </ul>
 * Proxies in the same state (fleet, audience, versions held, rejections) are counted once as a group, so the cost is
 * the number of proxies plus the number of distinct states times the objects of their fleet.
 */
final class ProxyTallies {

  /** The version the cache serves now of a fleet's type to an audience, if the fleet is served. */
  @FunctionalInterface
  interface CurrentVersions {
    Optional<String> of(String fleet, ResourceType type, Audience audience);
  }

  private ProxyTallies() {
  }

  /**
   * The record of {@code replica}: its proxies' tallies per object and their rows. Every object with a resource in
   * a fleet is tallied, with no proxy connected if none of that fleet is.
   *
   * @param objects {@link #objectTypes(Translation)} of {@code translation}
   */
  static ReplicaProxies of(String replica, Translation translation, Map<String, Map<String, Set<ResourceType>>> objects,
      List<ProxyStatus> proxies, CurrentVersions current) {
    Map<Group, Integer> groups = new HashMap<>();
    for (ProxyStatus proxy : proxies) {
      groups.merge(new Group(proxy.fleet(), proxy.audience(), proxy.ackedVersions(), proxy.rejections()), 1,
          Integer::sum);
    }
    Map<String, ProxyTally> tallies = new TreeMap<>();
    objects.values().forEach(fleet -> fleet.keySet().forEach(object -> tallies.put(object, ProxyTally.NONE)));
    Map<String, String> messages = new TreeMap<>();
    groups.entrySet().stream().sorted(Map.Entry.comparingByKey(Group.ORDER)).forEach(entry -> {
      Group group = entry.getKey();
      int count = entry.getValue();
      Map<String, Set<ResourceType>> inFleet = objects.getOrDefault(group.fleet(), Map.of());
      if (inFleet.isEmpty()) {
        return;
      }
      Map<String, String> blamed = new TreeMap<>();
      group.rejections().values().stream().sorted(java.util.Comparator.comparing(Nack::type)).forEach(nack ->
          ProxyRejections.blamedObjects(translation, nack).forEach(object -> blamed.putIfAbsent(object,
              nack.message())));
      Set<ResourceType> held = EnumSet.noneOf(ResourceType.class);
      for (ResourceType type : ResourceType.values()) {
        String acked = group.acked().get(type);
        if (acked != null && !group.rejections().containsKey(type)
            && current.of(group.fleet(), type, group.audience()).map(acked::equals).orElse(false)) {
          held.add(type);
        }
      }
      inFleet.forEach((object, types) -> {
        boolean rejecting = blamed.containsKey(object);
        ProxyTally tally = new ProxyTally(count, !rejecting && held.containsAll(types) ? count : 0,
            rejecting ? count : 0);
        tallies.merge(object, tally, ProxyTally::plus);
        if (rejecting) {
          messages.putIfAbsent(object, blamed.get(object));
        }
      });
    });
    List<JsonNode> rows = ProxiesDocument.rows(proxies, replica, false);
    return new ReplicaProxies(replica, tallies, messages, rows, 0);
  }

  /** Per fleet, per object ({@code Kind namespace/name}), the types of the resources made from it there. */
  static Map<String, Map<String, Set<ResourceType>>> objectTypes(Translation translation) {
    Map<String, Map<String, Set<ResourceType>>> fleets = new TreeMap<>();
    translation.fleets().forEach((fleet, config) -> fleets.put(fleet, objectTypes(translation, fleet, config)));
    return fleets;
  }

  private static Map<String, Set<ResourceType>> objectTypes(Translation translation, String fleet,
      FleetConfig config) {
    Map<String, Set<ResourceType>> objects = new TreeMap<>();
    add(objects, translation, fleet, ResourceType.CLUSTER, config.clusters(), c -> c.getName());
    add(objects, translation, fleet, ResourceType.ENDPOINT, config.endpoints(), e -> e.getClusterName());
    add(objects, translation, fleet, ResourceType.SECRET, config.secrets(), s -> s.getName());
    add(objects, translation, fleet, ResourceType.LISTENER, config.listeners(), l -> l.getName());
    add(objects, translation, fleet, ResourceType.ROUTE, config.routes(), r -> r.getName());
    return objects;
  }

  private static <T> void add(Map<String, Set<ResourceType>> objects, Translation translation, String fleet,
      ResourceType type, Collection<T> resources, Function<T, String> name) {
    for (T resource : resources) {
      for (String object : translation.producersOf(fleet, name.apply(resource))) {
        objects.computeIfAbsent(object, o -> EnumSet.noneOf(ResourceType.class)).add(type);
      }
    }
  }

  /** Proxies that count alike: same fleet, audience, versions acknowledged and standing rejections. */
  private record Group(String fleet, Audience audience, Map<ResourceType, String> acked,
      Map<ResourceType, Nack> rejections) {

    /** Groups in a fixed order, so the message kept for an object does not depend on hashing. */
    static final java.util.Comparator<Group> ORDER = java.util.Comparator.comparing(Group::fleet)
        .thenComparing(Group::audience).thenComparing(g -> new TreeMap<>(g.acked()).toString())
        .thenComparing(g -> g.rejections().values().stream().map(Nack::nodeId).sorted().findFirst().orElse(""));
  }
}
