package dev.fairlead.xds.translate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Collects what one fleet serves while its Gateway and the routes attached to it are translated, then builds the
 * {@link FleetConfig}: per port a listener and a route table whose virtual hosts are the hostnames routes are
 * served for (each routes in precedence order), an API listener per hostname for gRPC, and the clusters and
 * endpoints those routes use.
 *
 * <p>A hostname gets the domains {@code <hostname>} and {@code <hostname>:<port>} (clients may send the port in
 * the Host header; gRPC sends its target's); {@code *} gets just {@code *}. A hostname served on several ports
 * gets one API listener, for the lowest port. The same route reaching a virtual host twice (through two
 * listeners) is kept once. Route tables do not validate clusters, since routes may name
 * {@value HTTPRouteRuleTranslator#UNRESOLVED_BACKEND_CLUSTER} on purpose.
 *
 * <p>Mutable; used by one thread during one translation.
 */
final class FleetBuilder {

  private final ListenerTranslator listeners;
  /** port → hostname → the routes of that virtual host, in precedence order. */
  private final SortedMap<Integer, SortedMap<String, SortedMap<RoutePrecedence, Route>>> ports = new TreeMap<>();
  private final SortedMap<String, Backend> backends = new TreeMap<>();

  FleetBuilder(ListenerTranslator listeners) {
    this.listeners = listeners;
  }

  /** Serves {@code port}, even with no routes (Envoy then answers 404). */
  void addPort(int port) {
    ports.computeIfAbsent(port, p -> new TreeMap<>());
  }

  /** Adds routes to the virtual host {@code hostname} ({@code *} for all) of a port added before. */
  void addRoutes(int port, String hostname, List<RouteEntry> entries) {
    SortedMap<RoutePrecedence, Route> routes = ports.get(port).computeIfAbsent(hostname, h -> new TreeMap<>());
    entries.forEach(entry -> routes.putIfAbsent(entry.precedence(), entry.route()));
  }

  void addBackend(Backend backend) {
    backends.putIfAbsent(backend.name(), backend);
  }

  FleetConfig build() {
    List<Cluster> clusters = backends.values().stream().map(Backend::cluster).toList();
    List<ClusterLoadAssignment> endpoints = backends.values().stream()
        .flatMap(backend -> backend.endpoints().stream())
        .toList();
    List<Listener> fleetListeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    SortedMap<String, Integer> apiHostnames = new TreeMap<>();
    ports.forEach((port, virtualHosts) -> {
      boolean byAllocation = virtualHosts.values().stream().flatMap(hostRoutes -> hostRoutes.values().stream())
          .anyMatch(AllocationRouting::routesByAllocation);
      fleetListeners.add(listeners.port(port, byAllocation));
      RouteConfiguration.Builder table = RouteConfiguration.newBuilder()
          .setName(ListenerTranslator.portName(port))
          .setValidateClusters(BoolValue.of(false));
      virtualHosts.forEach((hostname, hostRoutes) -> {
        table.addVirtualHosts(virtualHost(port, hostname, hostRoutes));
        if (!hostname.startsWith("*")) {
          apiHostnames.putIfAbsent(hostname, port);
        }
      });
      routes.add(table.build());
    });
    for (Map.Entry<String, Integer> api : apiHostnames.entrySet()) {
      boolean clashes = ports.keySet().stream().anyMatch(port -> ListenerTranslator.portName(port).equals(api.getKey()));
      if (!clashes) {
        fleetListeners.add(listeners.api(api.getKey(), ListenerTranslator.portName(api.getValue())));
      }
    }
    return new FleetConfig(clusters, endpoints, fleetListeners, routes);
  }

  private static VirtualHost virtualHost(int port, String hostname, SortedMap<RoutePrecedence, Route> routes) {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName(hostname).addDomains(hostname);
    if (!hostname.equals("*")) {
      host.addDomains(hostname + ":" + port);
    }
    return host.addAllRoutes(routes.values()).build();
  }
}
