package dev.fairlead.xds.translate;

import dev.fairlead.api.params.ParametersRefs;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The {@link Translator}'s translation, made again for each new state from what changed since the
 * last one: what an Upstream, a Service port's backend, a Gateway, an HTTPRoute or a GRPCRoute
 * became is reused while the object (the parts the translation reads: name, namespace, UID,
 * generation, creation time and spec) and everything its translation looked up elsewhere in the
 * state ({@link Reads}) are the same, and so is a fleet's route table while the routes in it are. A
 * reused output is the same instance as last time, which is what lets the xDS cache tell it is
 * unchanged without comparing it; a remade output equal to the last is replaced by the last, too.
 *
 * <p>Every translation equals the {@link Translator}'s of the same state, whatever states came
 * before. Objects are compared by identity, then by equality of the parts read, so equal objects
 * built anew (standalone mode re-reads its files) are reused as well as the unchanged instances an
 * informer hands out. That relies on the contract of {@link ClusterState}: an object in a state is
 * never mutated afterwards.
 *
 * <p>What it keeps is bounded by the objects of the last state: results for objects no longer there
 * are dropped. Not thread-safe: one thread translates (the publisher's).
 */
public final class IncrementalTranslator {

  private final HttpFeatures features;
  private final AllocationTokens allocationTokens;
  private final ListenerTranslator listeners;
  private final Memo<String, TranslatedUpstream> upstreams =
      new Memo<>(IncrementalTranslator::sameUpstream, IncrementalTranslator::canonical);
  private final Memo<BackendResolver.ServiceKey, BackendResolver.ServiceBackend> serviceBackends =
      new Memo<>((a, b) -> true, IncrementalTranslator::canonical);
  private final Memo<String, GatewayTranslator.GatewayListeners> gateways =
      new Memo<>(IncrementalTranslator::sameGateway, IncrementalTranslator::canonical);
  private final Memo<String, HTTPRouteTranslator.RouteTranslation> routes =
      new Memo<>(IncrementalTranslator::sameRoute, IncrementalTranslator::canonical);
  private final Memo<String, HTTPRouteTranslator.RouteTranslation> grpcRoutes =
      new Memo<>(IncrementalTranslator::sameGrpcRoute, IncrementalTranslator::canonical);
  private Map<String, FleetBuilder.Reusable> fleets = Map.of();

  public IncrementalTranslator(TranslatorOptions options) {
    Objects.requireNonNull(options, "options");
    this.features = HttpFeatures.all(options);
    this.allocationTokens = options.allocationTokens();
    this.listeners = new ListenerTranslator(options.listenerAddress(), features);
  }

  /**
   * What an Upstream became, how many of its endpoints are ready, and the producer its cluster
   * names ({@code Upstream namespace/name}).
   */
  private record TranslatedUpstream(UpstreamTranslator.Result result, int ready, String producer) {}

  /**
   * The state under translation, as the lookups of {@link Reads} see it: what the translators
   * index, and what the Upstreams and Gateways became once they are translated.
   */
  private final class State implements Reads.Lookup {

    private final EndpointTranslator endpoints;
    private final ClusterTranslator clusters;
    private final UpstreamTranslator upstreamTranslator;
    private final ReferenceGrants grants;
    private final Map<String, Secret> secrets;
    private final Map<String, Map<String, String>> namespaceLabels;
    private final Map<String, UpstreamTranslator.Result> upstreams;
    private final Map<String, GatewayTranslator.GatewayListeners> gateways = new HashMap<>();

    State(
        EndpointTranslator endpoints,
        ClusterTranslator clusters,
        UpstreamTranslator upstreamTranslator,
        ReferenceGrants grants,
        ClusterState state,
        int upstreamCount) {
      this.endpoints = endpoints;
      this.clusters = clusters;
      this.upstreamTranslator = upstreamTranslator;
      this.grants = grants;
      this.secrets = unique(state.secrets());
      this.namespaceLabels = new HashMap<>(capacity(state.namespaces().size()));
      for (Namespace namespace : state.namespaces()) {
        namespaceLabels.putIfAbsent(
            namespace.getMetadata().getName(),
            Objects.requireNonNullElse(namespace.getMetadata().getLabels(), Map.of()));
      }
      this.upstreams = new HashMap<>(capacity(upstreamCount));
    }

    BackendResolver.ServiceBackend serviceBackend(BackendResolver.ServiceKey key) {
      return serviceBackends.get(
          key,
          null,
          this,
          reads -> BackendResolver.serviceBackend(key, endpoints, clusters, reads));
    }

    @Override
    public Object find(Reads.Source source, Object key) {
      return switch (source) {
        case CONFIG_MAP -> upstreamTranslator.configMap((String) key);
        case SERVICE -> endpoints.serviceNamed((String) key);
        case ENDPOINT_SLICES -> endpoints.slicesOf((String) key);
        case ALLOCATIONS -> upstreamTranslator.allocations().holdersOf((String) key);
        case UPSTREAM -> upstreams.get((String) key);
        case GATEWAY -> gateways.get((String) key);
        case SERVICE_BACKEND -> serviceBackend((BackendResolver.ServiceKey) key);
        case REFERENCE_GRANT -> grants.granted((ReferenceGrants.Reference) key);
        case SECRET -> secrets.get((String) key);
        case NAMESPACE -> namespaceLabels.get((String) key);
      };
    }
  }

  /** Translates {@code state}; equal to {@code new Translator(options).translate(state)}. */
  public Translation translate(ClusterState state) {
    List<Verdict> verdicts = new ArrayList<>();
    EndpointTranslator endpoints = new EndpointTranslator(state.services(), state.endpointSlices());
    ClusterTranslator clusters = new ClusterTranslator();
    ReferenceGrants grants = new ReferenceGrants(state.referenceGrants());
    UpstreamTranslator upstreamTranslator =
        new UpstreamTranslator(
            new UpstreamValidator(),
            clusters,
            endpoints,
            new AllocationRouting(state.allocations(), allocationTokens),
            grants,
            state.configMaps());
    Map<String, Upstream> stateUpstreams = unique(state.upstreams());
    State current =
        new State(endpoints, clusters, upstreamTranslator, grants, state, stateUpstreams.size());
    Map<String, String> clusterOwners = new HashMap<>(capacity(stateUpstreams.size()));
    Map<String, Integer> readyEndpoints = new HashMap<>(capacity(stateUpstreams.size()));
    Map<String, List<PoolEndpoint>> pools = new HashMap<>();
    stateUpstreams.forEach(
        (key, upstream) -> {
          TranslatedUpstream translated =
              upstreams.get(
                  key,
                  upstream,
                  current,
                  reads -> {
                    UpstreamTranslator.Result result =
                        upstreamTranslator.translate(upstream, reads);
                    return new TranslatedUpstream(
                        result,
                        result.backend().map(IncrementalTranslator::ready).orElse(0),
                        UpstreamTranslator.KIND + " " + key);
                  });
          UpstreamTranslator.Result result = translated.result();
          current.upstreams.put(key, result);
          verdicts.add(result.verdict());
          readyEndpoints.put(key, translated.ready());
          result.pool().ifPresent(pool -> pools.put(key, pool));
          result
              .backend()
              .ifPresent(backend -> clusterOwners.put(backend.name(), translated.producer()));
        });
    // Hash maps and sets: the Translation sorts them once.
    Map<String, Map<String, Set<String>>> producers = new HashMap<>();

    ParametersRefs parameters = new ParametersRefs(state.gatewayParameters());
    GatewayClassTranslator.Classes classes =
        new GatewayClassTranslator().translate(state.gatewayClasses(), parameters);
    verdicts.addAll(classes.verdicts());
    GatewayTranslator gatewayTranslator = new GatewayTranslator(current.secrets::get, grants);
    Map<String, FleetBuilder> fleetBuilders = new TreeMap<>();
    for (Map.Entry<String, Gateway> named : unique(state.gateways()).entrySet()) {
      String key = named.getKey();
      Gateway gateway = named.getValue();
      if (!classes.accepted().contains(gatewayClassName(gateway))) {
        continue;
      }
      Optional<Verdict> invalidParameters = invalidParameters(gateway, parameters);
      if (invalidParameters.isPresent()) {
        verdicts.add(invalidParameters.get());
        continue;
      }
      GatewayTranslator.GatewayListeners translated =
          gateways.get(key, gateway, current, reads -> gatewayTranslator.translate(gateway, reads));
      current.gateways.put(translated.fleet(), translated);
      verdicts.add(translated.verdict());
      FleetBuilder fleet =
          new FleetBuilder(
              listeners,
              features,
              fleets.getOrDefault(translated.fleet(), FleetBuilder.Reusable.NONE));
      String gatewayKey = "Gateway " + translated.fleet();
      translated
          .listeners()
          .forEach(
              listener -> {
                fleet.addListener(listener);
                produced(
                    producers(producers, translated.fleet()),
                    ListenerTranslator.portName(listener.port()),
                    gatewayKey);
              });
      translated
          .secrets()
          .forEach(
              secret -> {
                fleet.addSecret(secret);
                produced(producers(producers, translated.fleet()), secret.getName(), gatewayKey);
              });
      fleetBuilders.put(translated.fleet(), fleet);
    }

    HTTPRouteTranslator routeTranslator =
        new HTTPRouteTranslator(
            current.gateways,
            new BackendResolver(current.upstreams, current::serviceBackend, grants),
            features,
            current.namespaceLabels::get);
    for (Map.Entry<String, HTTPRoute> named : unique(state.httpRoutes()).entrySet()) {
      HTTPRoute route = named.getValue();
      add(
          HTTPRouteTranslator.KIND + " " + named.getKey(),
          routes.get(
              named.getKey(), route, current, reads -> routeTranslator.translate(route, reads)),
          verdicts,
          fleetBuilders,
          producers,
          clusterOwners);
    }
    GRPCRouteTranslator grpcRouteTranslator = new GRPCRouteTranslator(routeTranslator);
    for (Map.Entry<String, GRPCRoute> named : unique(state.grpcRoutes()).entrySet()) {
      GRPCRoute route = named.getValue();
      add(
          GRPCRouteTranslator.KIND + " " + named.getKey(),
          grpcRoutes.get(
              named.getKey(), route, current, reads -> grpcRouteTranslator.translate(route, reads)),
          verdicts,
          fleetBuilders,
          producers,
          clusterOwners);
    }

    Map<String, FleetConfig> built = new TreeMap<>();
    Map<String, FleetBuilder.Reusable> reusable = new HashMap<>();
    fleetBuilders.forEach(
        (name, fleet) -> {
          built.put(name, fleet.build());
          reusable.put(name, fleet.reusable());
        });
    upstreams.translated();
    serviceBackends.translated();
    gateways.translated();
    routes.translated();
    grpcRoutes.translated();
    fleets = reusable;
    return new Translation(built, verdicts, producers, readyEndpoints, pools);
  }

  /**
   * Adds what the route {@code routeKey} ({@code <kind> <namespace>/<name>}) became to its
   * verdicts, to the fleets it is attached to, and to their resources' producers.
   */
  private static void add(
      String routeKey,
      HTTPRouteTranslator.RouteTranslation translated,
      List<Verdict> verdicts,
      Map<String, FleetBuilder> fleetBuilders,
      Map<String, Map<String, Set<String>>> producers,
      Map<String, String> clusterOwners) {
    verdicts.addAll(translated.verdicts());
    for (HTTPRouteTranslator.Attachment attachment : translated.attachments()) {
      FleetBuilder fleet = fleetBuilders.get(attachment.fleet());
      Map<String, Set<String>> fleetProducers = producers(producers, attachment.fleet());
      produced(fleetProducers, ListenerTranslator.portName(attachment.port()), routeKey);
      attachment
          .hostnames()
          .forEach(
              hostname -> {
                fleet.addRoutes(attachment.port(), hostname, translated.entries());
                produced(fleetProducers, hostname, routeKey);
              });
      translated
          .backends()
          .forEach(
              backend -> {
                fleet.addBackend(backend);
                produced(
                    fleetProducers,
                    backend.name(),
                    clusterOwners.getOrDefault(backend.name(), routeKey));
              });
    }
  }

  /**
   * The verdict of a Gateway whose {@code spec.infrastructure.parametersRef} does not hold: not
   * accepted ({@code InvalidParameters}, as the Gateway API asks) and not served, so no fleet runs
   * with settings its author did not mean. Checked on every translation, outside the memo of
   * Gateways, because it reads other objects.
   */
  private static Optional<Verdict> invalidParameters(Gateway gateway, ParametersRefs parameters) {
    return parameters
        .ofGateway(gateway)
        .problem()
        .map(
            problem -> {
              Condition invalid = new Condition.False("InvalidParameters", problem);
              return new Verdict(
                  ObjectRef.of(GatewayTranslator.KIND, gateway),
                  Optional.empty(),
                  invalid,
                  invalid);
            });
  }

  /** The producers of the resources of {@code fleet}, by resource name. */
  private static Map<String, Set<String>> producers(
      Map<String, Map<String, Set<String>>> producers, String fleet) {
    return producers.computeIfAbsent(fleet, f -> new HashMap<>());
  }

  private static void produced(
      Map<String, Set<String>> fleetProducers, String resource, String objectKey) {
    fleetProducers.computeIfAbsent(resource, r -> new HashSet<>()).add(objectKey);
  }

  /**
   * Endpoints of a backend that take traffic: HEALTHY ones, in its ClusterLoadAssignment or inline
   * hosts.
   */
  private static int ready(Backend backend) {
    ClusterLoadAssignment assignment =
        backend.endpoints().orElse(backend.cluster().getLoadAssignment());
    return (int)
        assignment.getEndpointsList().stream()
            .flatMap(locality -> locality.getLbEndpointsList().stream())
            .filter(
                endpoint ->
                    endpoint.getHealthStatus() == HealthStatus.HEALTHY
                        || endpoint.getHealthStatus() == HealthStatus.UNKNOWN)
            .count();
  }

  /**
   * The Gateway's {@code spec.gatewayClassName}; empty (which no class is named) when it has none.
   */
  private static String gatewayClassName(Gateway gateway) {
    return gateway.getSpec() == null || gateway.getSpec().getGatewayClassName() == null
        ? ""
        : gateway.getSpec().getGatewayClassName();
  }

  /**
   * The named objects of {@code objects}, the first of each namespace and name, by {@code
   * namespace/name}.
   */
  private static <T extends HasMetadata> Map<String, T> unique(List<T> objects) {
    Map<String, T> byKey = new LinkedHashMap<>(capacity(objects.size()));
    for (T object : objects) {
      if (object != null
          && object.getMetadata() != null
          && object.getMetadata().getName() != null
          && !object.getMetadata().getName().isEmpty()) {
        byKey.putIfAbsent(
            ObjectRef.namespaceOf(object) + "/" + object.getMetadata().getName(), object);
      }
    }
    return byKey;
  }

  /** The initial capacity of a hash map that holds {@code size} entries without growing. */
  private static int capacity(int size) {
    return Math.max(16, (int) (size / 0.75f) + 1);
  }

  /**
   * Whether two objects read the same to a translation that reads their metadata as an ObjectRef,
   * and their spec.
   */
  private static <T extends HasMetadata> boolean sameObject(
      T a, T b, String kind, Function<T, Object> spec) {
    return ObjectRef.of(kind, a).equals(ObjectRef.of(kind, b))
        && Objects.equals(
            a.getMetadata().getCreationTimestamp(), b.getMetadata().getCreationTimestamp())
        && Objects.equals(spec.apply(a), spec.apply(b));
  }

  private static boolean sameUpstream(Object a, Object b) {
    return sameObject((Upstream) a, (Upstream) b, UpstreamTranslator.KIND, Upstream::getSpec);
  }

  private static boolean sameGateway(Object a, Object b) {
    return sameObject((Gateway) a, (Gateway) b, GatewayTranslator.KIND, Gateway::getSpec);
  }

  private static boolean sameRoute(Object a, Object b) {
    return sameObject((HTTPRoute) a, (HTTPRoute) b, HTTPRouteTranslator.KIND, HTTPRoute::getSpec);
  }

  private static boolean sameGrpcRoute(Object a, Object b) {
    return sameObject((GRPCRoute) a, (GRPCRoute) b, GRPCRouteTranslator.KIND, GRPCRoute::getSpec);
  }

  private static TranslatedUpstream canonical(
      TranslatedUpstream earlier, TranslatedUpstream fresh) {
    UpstreamTranslator.Result result =
        new UpstreamTranslator.Result(
            fresh.result().verdict(),
            canonical(earlier.result().backend(), fresh.result().backend()),
            fresh.result().pool());
    return result.equals(earlier.result()) && fresh.ready() == earlier.ready()
        ? earlier
        : new TranslatedUpstream(result, fresh.ready(), fresh.producer());
  }

  private static BackendResolver.ServiceBackend canonical(
      BackendResolver.ServiceBackend earlier, BackendResolver.ServiceBackend fresh) {
    BackendResolver.ServiceBackend backend =
        new BackendResolver.ServiceBackend(
            canonical(earlier.backend(), fresh.backend()), fresh.problem());
    return backend.equals(earlier) ? earlier : backend;
  }

  /**
   * {@code fresh}, with the SDS secrets of {@code earlier} where they are equal, or {@code earlier}
   * if all is.
   */
  private static GatewayTranslator.GatewayListeners canonical(
      GatewayTranslator.GatewayListeners earlier, GatewayTranslator.GatewayListeners fresh) {
    if (fresh.equals(earlier)) {
      return earlier;
    }
    Map<String, io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret> before =
        new HashMap<>();
    earlier.secrets().forEach(secret -> before.put(secret.getName(), secret));
    return new GatewayTranslator.GatewayListeners(
        fresh.fleet(),
        fresh.namespace(),
        fresh.listeners(),
        fresh.unserved(),
        fresh.secrets().stream()
            .map(
                secret ->
                    secret.equals(before.get(secret.getName()))
                        ? before.get(secret.getName())
                        : secret)
            .toList(),
        fresh.verdict());
  }

  /**
   * {@code fresh}, with the route entries of {@code earlier} if they are equal, or {@code earlier}
   * if all is.
   */
  private static HTTPRouteTranslator.RouteTranslation canonical(
      HTTPRouteTranslator.RouteTranslation earlier, HTTPRouteTranslator.RouteTranslation fresh) {
    HTTPRouteTranslator.RouteTranslation translation =
        fresh.entries().equals(earlier.entries())
            ? new HTTPRouteTranslator.RouteTranslation(
                fresh.verdicts(), fresh.attachments(), earlier.entries(), fresh.backends())
            : fresh;
    return translation.equals(earlier) ? earlier : translation;
  }

  /** {@code fresh}, with the cluster and the endpoints of {@code earlier} where they are equal. */
  private static Optional<Backend> canonical(Optional<Backend> earlier, Optional<Backend> fresh) {
    if (earlier.isEmpty() || fresh.isEmpty()) {
      return fresh;
    }
    Backend was = earlier.get();
    Backend is = fresh.get();
    Backend backend =
        new Backend(
            is.cluster().equals(was.cluster()) ? was.cluster() : is.cluster(),
            is.endpoints().equals(was.endpoints()) ? was.endpoints() : is.endpoints(),
            is.byAllocation(),
            is.tokens());
    return Optional.of(backend.equals(was) ? was : backend);
  }
}
