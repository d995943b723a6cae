package dev.fairlead.xds.translate;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Collects what one fleet serves while its Gateway and the routes attached to it are translated,
 * then builds the {@link FleetConfig}: per port a listener and a route table whose virtual hosts
 * are the hostnames routes are served for (each routes in precedence order), an API listener per
 * hostname for gRPC, the clusters and endpoints those routes use, and the SDS secrets of its HTTPS
 * listeners.
 *
 * <p>A hostname gets the domains {@code <hostname>} and {@code <hostname>:<port>} (clients may send
 * the port in the Host header; gRPC sends its target's); {@code *} gets just {@code *}. A hostname
 * served on several ports gets one API listener, for the lowest port. The same route reaching a
 * virtual host twice (through two listeners) is kept once. Route tables do not validate clusters,
 * since routes may name {@value HTTPRouteRuleTranslator#UNRESOLVED_BACKEND_CLUSTER} on purpose.
 *
 * <p>A port's route table and listener depend only on the routes added to it, in order, and on its
 * HTTPS listeners; given what the fleet's last build made ({@link Reusable}), a port whose routes
 * are the same (the same hostnames, with the very same entry lists) and whose HTTPS listeners are
 * equal keeps its route table and listener instances, and so does an API listener whose hostname
 * and route table name are the same.
 *
 * <p>Mutable; used by one thread during one translation.
 */
final class FleetBuilder {

  private final ListenerTranslator listeners;
  private final HttpFeatures features;
  private final Reusable earlier;

  /** port → the routes added to it, in order. */
  private final SortedMap<Integer, List<Addition>> ports = new TreeMap<>();

  /** port → its HTTPS listeners, in the order added; no entry for a plain-HTTP port. */
  private final Map<Integer, List<ListenerTranslator.TlsChain>> tls = new HashMap<>();

  /** The backends by name, in the order added: the {@link FleetConfig} sorts them. */
  private final Map<String, Backend> backends = new LinkedHashMap<>();

  /** The SDS secrets by name: the {@link FleetConfig} sorts them. */
  private final Map<String, Secret> secrets = new LinkedHashMap<>();

  private Reusable built = Reusable.NONE;

  /**
   * @param earlier what the last build of this fleet made; {@link Reusable#NONE} for none
   */
  FleetBuilder(ListenerTranslator listeners, HttpFeatures features, Reusable earlier) {
    this.listeners = listeners;
    this.features = features;
    this.earlier = earlier;
  }

  /** The routes of one virtual host added to a port. */
  private record Addition(String hostname, List<RouteEntry> entries) {

    boolean sameAs(Addition other) {
      return entries == other.entries && hostname.equals(other.hostname);
    }
  }

  /** A port's route table and listener, and the routes and HTTPS listeners they were built from. */
  private record PortTable(
      List<Addition> from,
      List<ListenerTranslator.TlsChain> tls,
      RouteConfiguration routes,
      Listener listener) {

    boolean builtFrom(List<Addition> additions, List<ListenerTranslator.TlsChain> chains) {
      if (from.size() != additions.size() || !tls.equals(chains)) {
        return false;
      }
      for (int i = 0; i < from.size(); i++) {
        if (!from.get(i).sameAs(additions.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  /** An API listener and the route table it names. */
  private record ApiListener(String routeConfigName, Listener listener) {}

  /** What one build of a fleet made that the next build of it may reuse. */
  static final class Reusable {

    static final Reusable NONE = new Reusable(Map.of(), Map.of());

    private final Map<Integer, PortTable> ports;
    private final Map<String, ApiListener> apiListeners;

    private Reusable(Map<Integer, PortTable> ports, Map<String, ApiListener> apiListeners) {
      this.ports = ports;
      this.apiListeners = apiListeners;
    }
  }

  /**
   * Serves the port of a Gateway listener, even with no routes (Envoy then answers 404); an HTTPS
   * listener adds its filter chain. The listeners of one port are all HTTP or all HTTPS ({@link
   * GatewayTranslator} sees to it).
   */
  void addListener(GatewayTranslator.AcceptedListener listener) {
    ports.computeIfAbsent(listener.port(), p -> new ArrayList<>());
    listener
        .tls()
        .ifPresent(
            secretNames ->
                tls.computeIfAbsent(listener.port(), p -> new ArrayList<>())
                    .add(
                        new ListenerTranslator.TlsChain(
                            listener.hostname().map(Hostname::value), secretNames)));
  }

  /** Serves {@code secret} over SDS. */
  void addSecret(Secret secret) {
    secrets.putIfAbsent(secret.getName(), secret);
  }

  /**
   * Adds routes to the virtual host {@code hostname} ({@code *} for all) of a port added before;
   * {@code entries} must not change afterwards.
   */
  void addRoutes(int port, String hostname, List<RouteEntry> entries) {
    ports.get(port).add(new Addition(hostname, entries));
  }

  void addBackend(Backend backend) {
    backends.putIfAbsent(backend.name(), backend);
  }

  FleetConfig build() {
    List<Cluster> clusters = backends.values().stream().map(Backend::cluster).toList();
    List<ClusterLoadAssignment> endpoints =
        backends.values().stream().flatMap(backend -> backend.endpoints().stream()).toList();
    List<Listener> fleetListeners = new ArrayList<>();
    List<RouteConfiguration> routes = new ArrayList<>();
    Map<Integer, PortTable> tables = new HashMap<>();
    SortedMap<String, Integer> apiHostnames = new TreeMap<>();
    ports.forEach(
        (port, additions) -> {
          PortTable previous = earlier.ports.get(port);
          List<ListenerTranslator.TlsChain> chains = tls.getOrDefault(port, List.of());
          PortTable table =
              previous != null && previous.builtFrom(additions, chains)
                  ? previous
                  : table(port, additions, chains);
          tables.put(port, table);
          fleetListeners.add(table.listener());
          routes.add(table.routes());
          additions.forEach(
              addition -> {
                if (!addition.hostname().startsWith("*")) {
                  apiHostnames.putIfAbsent(addition.hostname(), port);
                }
              });
        });
    Map<String, ApiListener> apiListeners = new HashMap<>();
    for (Map.Entry<String, Integer> api : apiHostnames.entrySet()) {
      boolean clashes =
          ports.keySet().stream()
              .anyMatch(port -> ListenerTranslator.portName(port).equals(api.getKey()));
      if (!clashes) {
        String routeConfigName = ListenerTranslator.portName(api.getValue());
        ApiListener previous = earlier.apiListeners.get(api.getKey());
        ApiListener listener =
            previous != null && previous.routeConfigName().equals(routeConfigName)
                ? previous
                : new ApiListener(routeConfigName, listeners.api(api.getKey(), routeConfigName));
        apiListeners.put(api.getKey(), listener);
        fleetListeners.add(listener.listener());
      }
    }
    built = new Reusable(tables, apiListeners);
    return new FleetConfig(
        clusters, endpoints, fleetListeners, routes, List.copyOf(secrets.values()));
  }

  /** What {@link #build} made that the next build of this fleet may reuse. */
  Reusable reusable() {
    return built;
  }

  private PortTable table(
      int port, List<Addition> additions, List<ListenerTranslator.TlsChain> chains) {
    SortedMap<String, SortedMap<RoutePrecedence, Route>> virtualHosts = new TreeMap<>();
    for (Addition addition : additions) {
      SortedMap<RoutePrecedence, Route> hostRoutes =
          virtualHosts.computeIfAbsent(addition.hostname(), h -> new TreeMap<>());
      addition
          .entries()
          .forEach(
              entry ->
                  hostRoutes.computeIfAbsent(
                      entry.precedence(),
                      precedence -> features.patchPortRoute(port, entry.rule(), entry.route())));
    }
    List<Route> served =
        virtualHosts.values().stream().flatMap(hostRoutes -> hostRoutes.values().stream()).toList();
    // Gateway hostnames never carry a port and a request's Host may (example.com:1234), whatever
    // port it came in on: the Gateway API has that port ignored when picking a virtual host, and
    // the Host reaches upstreams unchanged. gRPC clients do not read ignore_port_in_host_matching
    // and match their target, port included, against the domains, which list <hostname>:<port> for
    // them.
    RouteConfiguration.Builder table =
        RouteConfiguration.newBuilder()
            .setName(ListenerTranslator.portName(port))
            .setValidateClusters(BoolValue.of(false))
            .setIgnorePortInHostMatching(true);
    virtualHosts.forEach(
        (hostname, hostRoutes) -> table.addVirtualHosts(virtualHost(port, hostname, hostRoutes)));
    return new PortTable(
        List.copyOf(additions),
        List.copyOf(chains),
        table.build(),
        listeners.port(port, served, chains));
  }

  private static VirtualHost virtualHost(
      int port, String hostname, SortedMap<RoutePrecedence, Route> routes) {
    VirtualHost.Builder host = VirtualHost.newBuilder().setName(hostname).addDomains(hostname);
    if (!hostname.equals("*")) {
      host.addDomains(hostname + ":" + port);
    }
    return host.addAllRoutes(routes.values()).build();
  }
}
