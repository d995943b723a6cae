package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The Envoy resources one fleet (one Gateway) is served: what an Envoy with that {@code
 * node.cluster} gets over CDS, EDS, SDS, LDS and RDS.
 *
 * <ul>
 *   <li>{@code clusters}: {@code upstream/<namespace>/<name>} and {@code
 *       service/<namespace>/<name>/<port>}, only those the fleet's routes refer to;
 *   <li>{@code endpoints}: one ClusterLoadAssignment per EDS cluster, named like the cluster (a
 *       static Upstream with DNS names is a STRICT_DNS cluster carrying its endpoints inline, so it
 *       has none here);
 *   <li>{@code listeners}: {@code http-<port>} per Gateway port, plus one API listener per hostname
 *       for gRPC xDS clients (Envoy ignores those with a warning: it only takes API listeners from
 *       its bootstrap);
 *   <li>{@code routes}: {@code http-<port>} per Gateway port;
 *   <li>{@code secrets}: {@code <namespace>/<name>} per Secret an HTTPS listener of the fleet
 *       serves, holding its certificate chain and private key: the only place a private key goes
 *       (listeners name secrets through {@code sds_config}).
 * </ul>
 *
 * <p>Each list is sorted by resource name and holds each name once; immutable.
 */
public record FleetConfig(
    List<Cluster> clusters,
    List<ClusterLoadAssignment> endpoints,
    List<Listener> listeners,
    List<RouteConfiguration> routes,
    List<Secret> secrets) {

  /** A fleet with nothing to serve. */
  public static final FleetConfig EMPTY =
      new FleetConfig(List.of(), List.of(), List.of(), List.of(), List.of());

  public FleetConfig {
    clusters = sortedUnique(clusters, Cluster::getName, "cluster");
    endpoints =
        sortedUnique(endpoints, ClusterLoadAssignment::getClusterName, "cluster load assignment");
    listeners = sortedUnique(listeners, Listener::getName, "listener");
    routes = sortedUnique(routes, RouteConfiguration::getName, "route configuration");
    secrets = sortedUnique(secrets, Secret::getName, "secret");
  }

  private static <T> List<T> sortedUnique(
      List<T> resources, Function<T, String> name, String what) {
    Objects.requireNonNull(resources, what + "s");
    List<T> sorted = resources.stream().sorted(Comparator.comparing(name)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      if (name.apply(sorted.get(i - 1)).equals(name.apply(sorted.get(i)))) {
        throw new IllegalArgumentException("two " + what + "s named " + name.apply(sorted.get(i)));
      }
    }
    return sorted;
  }
}
