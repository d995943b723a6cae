package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fairlead.app.admin.ProxiesDocument;
import dev.fairlead.reporter.ProxyTally;
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
 * What the proxies connected to this replica hold of each object's configuration ({@link
 * ReplicaProxies}), from the translation served and each proxy's state. Pure.
 *
 * <p>An object's configuration goes to the proxies of every fleet holding a resource made from it;
 * such a proxy
 *
 * <ul>
 *   <li>rejects it when one of its standing rejections is about the object ({@link
 *       ProxyRejections#blamedObjects});
 *   <li>else holds its current configuration when, for every type of resource made from the object
 *       in its fleet, it holds everything it asks for as of the latest change of the fleet's
 *       resources of that type ({@link ProxyStatus#upToDateAsOf}): it acknowledged every response
 *       and this replica's cache found nothing more to send it;
 *   <li>else is counted only as connected (a response is outstanding, or it never asked for one of
 *       the types).
 * </ul>
 *
 * What a proxy holds is judged by what it is sent, not by the version it acknowledged: a proxy
 * asking for some resources of a named type (Envoy's EDS, an xDS client's) acknowledged the version
 * of the whole set as it was when one of its resources last changed, and keeps it while only others
 * change. Each replica judges its own proxies against its own cache, so change numbers need not
 * agree across replicas.
 *
 * <p>Proxies in the same state (fleet, changes held, rejections) are counted once as a group, so
 * the cost is the number of proxies plus the number of distinct states times the objects of their
 * fleet.
 */
final class ProxyTallies {

  /**
   * The number of the latest change of a fleet's resources of a type ({@code
   * XdsCache#latestChange}), if served.
   */
  @FunctionalInterface
  interface LatestChanges {
    Optional<Long> of(String fleet, ResourceType type);
  }

  private ProxyTallies() {}

  /**
   * The record of {@code replica}: its proxies' tallies per object and their rows. Every object
   * with a resource in a fleet is tallied, with no proxy connected if none of that fleet is.
   *
   * @param objects {@link #objectTypes(Translation)} of {@code translation}
   */
  static ReplicaProxies of(
      String replica,
      Translation translation,
      Map<String, Map<String, Set<ResourceType>>> objects,
      List<ProxyStatus> proxies,
      LatestChanges latest) {
    Map<Group, Integer> groups = new HashMap<>();
    for (ProxyStatus proxy : proxies) {
      groups.merge(
          new Group(proxy.fleet(), proxy.upToDateAsOf(), proxy.rejections()), 1, Integer::sum);
    }
    Map<String, ProxyTally> tallies = new TreeMap<>();
    objects
        .values()
        .forEach(fleet -> fleet.keySet().forEach(object -> tallies.put(object, ProxyTally.NONE)));
    Map<String, String> messages = new TreeMap<>();
    groups.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(Group.ORDER))
        .forEach(
            entry -> {
              Group group = entry.getKey();
              int count = entry.getValue();
              Map<String, Set<ResourceType>> inFleet =
                  objects.getOrDefault(group.fleet(), Map.of());
              if (inFleet.isEmpty()) {
                return;
              }
              Map<String, String> blamed = new TreeMap<>();
              group.rejections().values().stream()
                  .sorted(java.util.Comparator.comparing(Nack::type))
                  .forEach(
                      nack ->
                          ProxyRejections.blamedObjects(translation, nack)
                              .forEach(object -> blamed.putIfAbsent(object, nack.message())));
              Set<ResourceType> held = EnumSet.noneOf(ResourceType.class);
              for (ResourceType type : ResourceType.values()) {
                Long asOf = group.upToDateAsOf().get(type);
                if (asOf != null
                    && !group.rejections().containsKey(type)
                    && latest.of(group.fleet(), type).map(asOf::equals).orElse(false)) {
                  held.add(type);
                }
              }
              inFleet.forEach(
                  (object, types) -> {
                    boolean rejecting = blamed.containsKey(object);
                    ProxyTally tally =
                        new ProxyTally(
                            count,
                            !rejecting && held.containsAll(types) ? count : 0,
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

  /**
   * Per fleet, per object ({@code Kind namespace/name}), the types of the resources made from it
   * there.
   */
  static Map<String, Map<String, Set<ResourceType>>> objectTypes(Translation translation) {
    Map<String, Map<String, Set<ResourceType>>> fleets = new TreeMap<>();
    translation
        .fleets()
        .forEach((fleet, config) -> fleets.put(fleet, objectTypes(translation, fleet, config)));
    return fleets;
  }

  private static Map<String, Set<ResourceType>> objectTypes(
      Translation translation, String fleet, FleetConfig config) {
    Map<String, Set<ResourceType>> objects = new TreeMap<>();
    add(objects, translation, fleet, ResourceType.CLUSTER, config.clusters(), c -> c.getName());
    add(
        objects,
        translation,
        fleet,
        ResourceType.ENDPOINT,
        config.endpoints(),
        e -> e.getClusterName());
    add(objects, translation, fleet, ResourceType.SECRET, config.secrets(), s -> s.getName());
    add(objects, translation, fleet, ResourceType.LISTENER, config.listeners(), l -> l.getName());
    add(objects, translation, fleet, ResourceType.ROUTE, config.routes(), r -> r.getName());
    return objects;
  }

  private static <T> void add(
      Map<String, Set<ResourceType>> objects,
      Translation translation,
      String fleet,
      ResourceType type,
      Collection<T> resources,
      Function<T, String> name) {
    for (T resource : resources) {
      for (String object : translation.producersOf(fleet, name.apply(resource))) {
        objects.computeIfAbsent(object, o -> EnumSet.noneOf(ResourceType.class)).add(type);
      }
    }
  }

  /** Proxies that count alike: same fleet, changes held and standing rejections. */
  private record Group(
      String fleet, Map<ResourceType, Long> upToDateAsOf, Map<ResourceType, Nack> rejections) {

    /** Groups in a fixed order, so the message kept for an object does not depend on hashing. */
    static final java.util.Comparator<Group> ORDER =
        java.util.Comparator.comparing(Group::fleet)
            .thenComparing(g -> new TreeMap<>(g.upToDateAsOf()).toString())
            .thenComparing(
                g ->
                    g.rejections().values().stream()
                        .map(Nack::nodeId)
                        .sorted()
                        .findFirst()
                        .orElse(""));
  }
}
