package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;

/**
 * Turns a {@link ClusterState} into the Envoy resources of every fleet and a verdict on every Upstream, Gateway
 * and HTTPRoute.
 *
 * <p>A pure function: the same state gives an equal {@link Translation} (and byte-identical resources under
 * deterministic serialization), whatever the order objects arrived in. It reads no clock, does no I/O, logs
 * nothing, and never throws for a bad object: the object gets a verdict saying what is wrong and everything else
 * still translates. One processor per input kind does the work — {@link UpstreamTranslator},
 * {@link GatewayTranslator}, {@link HTTPRouteTranslator} (with {@link BackendResolver} for its backendRefs) — and
 * a {@link FleetBuilder} per Gateway collects the result.
 *
 * <p>Objects without a name are skipped, and one without a namespace is read as being in {@code default}. Should
 * the state hold two objects of one kind with the same namespace and name, the first is used.
 *
 * <p>Immutable and thread-safe: each call builds its own processors.
 */
public final class Translator {

  private final TranslatorOptions options;

  public Translator(TranslatorOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public Translation translate(ClusterState state) {
    List<Verdict> verdicts = new ArrayList<>();
    EndpointTranslator endpoints = new EndpointTranslator(state.services(), state.endpointSlices());
    ClusterTranslator clusters = new ClusterTranslator();
    UpstreamTranslator upstreamTranslator = new UpstreamTranslator(new UpstreamValidator(), clusters, endpoints,
        new AllocationRouting(state.allocations()), state.configMaps());
    Map<String, UpstreamTranslator.Result> upstreams = new HashMap<>();
    Map<String, String> clusterOwners = new HashMap<>();
    Map<String, Integer> readyEndpoints = new TreeMap<>();
    Map<String, List<PoolEndpoint>> pools = new TreeMap<>();
    for (Upstream upstream : unique(state.upstreams())) {
      UpstreamTranslator.Result result = upstreamTranslator.translate(upstream);
      upstreams.put(result.verdict().object().key(), result);
      verdicts.add(result.verdict());
      ObjectRef ref = result.verdict().object();
      readyEndpoints.put(ref.namespace() + "/" + ref.name(), result.backend().map(Translator::ready).orElse(0));
      result.pool().ifPresent(pool -> pools.put(ref.namespace() + "/" + ref.name(), pool));
      result.backend().ifPresent(backend -> clusterOwners.put(backend.name(), "Upstream " + ref.namespace() + "/"
          + ref.name()));
    }
    Map<String, Map<String, Set<String>>> producers = new TreeMap<>();

    ListenerTranslator listeners = new ListenerTranslator(options.listenerAddress(), options.unallocatedStatus());
    GatewayTranslator gatewayTranslator = new GatewayTranslator();
    Map<String, GatewayTranslator.GatewayListeners> gateways = new HashMap<>();
    Map<String, FleetBuilder> fleets = new TreeMap<>();
    for (Gateway gateway : unique(state.gateways())) {
      GatewayTranslator.GatewayListeners translated = gatewayTranslator.translate(gateway);
      gateways.put(translated.fleet(), translated);
      verdicts.add(translated.verdict());
      FleetBuilder fleet = new FleetBuilder(listeners);
      String gatewayKey = "Gateway " + translated.fleet();
      translated.listeners().forEach(listener -> {
        fleet.addPort(listener.port());
        produced(producers, translated.fleet(), ListenerTranslator.portName(listener.port()), gatewayKey);
      });
      fleets.put(translated.fleet(), fleet);
    }

    HTTPRouteTranslator routeTranslator =
        new HTTPRouteTranslator(gateways, new BackendResolver(upstreams, endpoints, clusters));
    for (HTTPRoute route : unique(state.httpRoutes())) {
      HTTPRouteTranslator.RouteTranslation translated = routeTranslator.translate(route);
      verdicts.addAll(translated.verdicts());
      String routeKey = "HTTPRoute " + ObjectRef.namespaceOf(route) + "/" + route.getMetadata().getName();
      for (HTTPRouteTranslator.Attachment attachment : translated.attachments()) {
        FleetBuilder fleet = fleets.get(attachment.fleet());
        produced(producers, attachment.fleet(), ListenerTranslator.portName(attachment.port()), routeKey);
        attachment.hostnames().forEach(hostname -> {
          fleet.addRoutes(attachment.port(), hostname, translated.entries());
          produced(producers, attachment.fleet(), hostname, routeKey);
        });
        translated.backends().forEach(backend -> {
          fleet.addBackend(backend);
          produced(producers, attachment.fleet(), backend.name(), clusterOwners.getOrDefault(backend.name(), routeKey));
        });
      }
    }

    Map<String, FleetConfig> built = new TreeMap<>();
    fleets.forEach((name, fleet) -> built.put(name, fleet.build()));
    return new Translation(built, verdicts, producers, readyEndpoints, pools);
  }

  private static void produced(Map<String, Map<String, Set<String>>> producers, String fleet, String resource,
      String objectKey) {
    producers.computeIfAbsent(fleet, f -> new TreeMap<>()).computeIfAbsent(resource, r -> new TreeSet<>())
        .add(objectKey);
  }

  /** Endpoints of a backend that take traffic: HEALTHY ones, in its ClusterLoadAssignment or inline hosts. */
  private static int ready(Backend backend) {
    ClusterLoadAssignment assignment = backend.endpoints().orElse(backend.cluster().getLoadAssignment());
    return (int) assignment.getEndpointsList().stream()
        .flatMap(locality -> locality.getLbEndpointsList().stream())
        .filter(endpoint -> endpoint.getHealthStatus() == HealthStatus.HEALTHY
            || endpoint.getHealthStatus() == HealthStatus.UNKNOWN)
        .count();
  }

  /** The named objects of {@code objects}, the first of each namespace and name. */
  private static <T extends HasMetadata> List<T> unique(List<T> objects) {
    Map<String, T> byKey = new LinkedHashMap<>();
    for (T object : objects) {
      if (object != null && object.getMetadata() != null && object.getMetadata().getName() != null
          && !object.getMetadata().getName().isEmpty()) {
        byKey.putIfAbsent(ObjectRef.namespaceOf(object) + "/" + object.getMetadata().getName(), object);
      }
    }
    return List.copyOf(byKey.values());
  }
}
