package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Verdict;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Everything one translation of a {@code ClusterState} produced: the Envoy resources of each fleet,
 * and a verdict on every object read.
 *
 * <p>Every Gateway of an accepted GatewayClass of Fairlead's is a fleet, keyed {@code
 * <namespace>/<name>}; Envoys join it by setting {@code node.cluster} to that string. A Gateway
 * with no acceptable listener still has a fleet, with no resources, so that "the Gateway exists but
 * is broken" and "there is no such Gateway" stay distinguishable.
 *
 * <p>{@code producers} says, per fleet and Envoy resource name, which objects ({@code Kind
 * namespace/name}) that resource was made from, so a proxy's rejection of a resource can be
 * reported on those objects. {@code readyEndpoints} counts, per Upstream ({@code namespace/name}),
 * the endpoints ready for traffic. {@code pools} lists, per accepted Upstream in allocation mode,
 * the endpoints ready for traffic that the allocator may hand out (none while it has no cluster),
 * whether or not a route uses the Upstream.
 *
 * <p>Immutable: the maps iterate in key order, the verdicts are sorted by kind, namespace, name
 * (then UID and parent). Equal inputs give equal translations.
 */
public record Translation(
    Map<String, FleetConfig> fleets,
    List<Verdict> verdicts,
    Map<String, Map<String, Set<String>>> producers,
    Map<String, Integer> readyEndpoints,
    Map<String, List<PoolEndpoint>> pools) {

  public Translation {
    fleets = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(fleets, "fleets")));
    verdicts = Objects.requireNonNull(verdicts, "verdicts").stream().sorted(Verdict.ORDER).toList();
    TreeMap<String, Map<String, Set<String>>> byFleet = new TreeMap<>();
    Objects.requireNonNull(producers, "producers")
        .forEach(
            (fleet, resources) -> {
              TreeMap<String, Set<String>> byResource = new TreeMap<>();
              // Most resources come from one object, and a set of one is in order as it is.
              resources.forEach(
                  (resource, objects) ->
                      byResource.put(
                          resource,
                          objects.size() == 1
                              ? Set.of(objects.iterator().next())
                              : Collections.unmodifiableSortedSet(new TreeSet<>(objects))));
              byFleet.put(fleet, Collections.unmodifiableSortedMap(byResource));
            });
    producers = Collections.unmodifiableSortedMap(byFleet);
    readyEndpoints =
        Collections.unmodifiableSortedMap(
            new TreeMap<>(Objects.requireNonNull(readyEndpoints, "readyEndpoints")));
    TreeMap<String, List<PoolEndpoint>> byUpstream = new TreeMap<>();
    Objects.requireNonNull(pools, "pools")
        .forEach((upstream, pool) -> byUpstream.put(upstream, List.copyOf(pool)));
    pools = Collections.unmodifiableSortedMap(byUpstream);
  }

  /**
   * The endpoints the allocator may hand out of Upstream {@code namespace/name}: empty when it is
   * not an accepted Upstream in allocation mode.
   */
  public Optional<List<PoolEndpoint>> pool(String namespace, String name) {
    return Optional.ofNullable(pools.get(namespace + "/" + name));
  }

  /**
   * The objects a fleet's resource was made from, by {@code Kind namespace/name}; empty if unknown.
   */
  public Set<String> producersOf(String fleet, String resourceName) {
    return producers.getOrDefault(fleet, Map.of()).getOrDefault(resourceName, Set.of());
  }
}
