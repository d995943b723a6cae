package dev.fairlead.bench;

import com.google.protobuf.Message;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.StaticHosts;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.translate.FleetConfig;
import dev.fairlead.xds.translate.Translation;
import dev.fairlead.xds.translate.Translator;
import dev.fairlead.xds.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The configuration every scenario serves, generated from a {@link StateSpec}: one Gateway {@code
 * bench/edge} of GatewayClass {@code fairlead} (the fleet {@value #FLEET}, one HTTP listener), and
 * per index {@code i} an Upstream {@code bench/u-i} with one static IP host and an HTTPRoute {@code
 * bench/r-i} sending path prefix {@code /u-i} to it. Translated, that is one EDS cluster and one
 * ClusterLoadAssignment per Upstream, one listener and one route table.
 *
 * <p>An Upstream's endpoint at generation {@code g} is {@code 127.<1 + g / 60000 % 200>.<i / 256 %
 * 256>.<i % 256>} port {@code 1024 + g % 60000}: unique per generation, and on loopback should
 * anything ever dial it (nothing does: the benchmark only serves configuration). A cluster's
 * connect timeout is {@code 250 + g % 10000} ms of its cluster generation.
 *
 * <p>A spec of {@code W > 1} endpoints per Upstream makes each Upstream a Kubernetes Service's port
 * instead ({@code bench/u-i}, port 80 to target port 8080), with its W endpoints in EndpointSlices
 * of {@value #SLICE_WIDTH} (the EndpointSlice controller's default): endpoint {@code j} is at
 * {@code 127.<1 + j / 65536 % 200>.<j / 256 % 256>.<j % 256>}, and at endpoint generation {@code g
 * > 0} the one endpoint {@code j = g % W} moves to the address of {@code W + g % 60000}, as when
 * one pod of a large Service is replaced: one slice changes, the ClusterLoadAssignment is sent
 * whole.
 *
 * <p>Not thread-safe: it keeps the objects it made so that a state differing in one Upstream
 * rebuilds one. Use one instance per thread.
 */
public final class BenchConfig {

  public static final String NAMESPACE = "bench";
  public static final String FLEET = NAMESPACE + "/edge";
  static final TranslatorOptions OPTIONS = new TranslatorOptions("127.0.0.1");
  private static final int LISTENER_PORT = 10080;
  static final int SLICE_WIDTH = 100;

  /** One generated Upstream: its index, cluster and endpoint generations, endpoint count. */
  private record UpstreamKey(int index, int clusterGeneration, int endpointGeneration, int width) {}

  /** One generated EndpointSlice: slice {@code slice} of Upstream {@code index}. */
  private record SliceKey(int index, int slice, int endpointGeneration, int width) {}

  private final Translator translator = new Translator(OPTIONS);
  private final Map<UpstreamKey, Upstream> upstreams = new HashMap<>();
  private final Map<SliceKey, EndpointSlice> slices = new HashMap<>();
  private final Map<Integer, Service> services = new HashMap<>();
  private final List<HTTPRoute> routes = new ArrayList<>();
  private final GatewayClass gatewayClass =
      new GatewayClassBuilder()
          .withMetadata(
              new ObjectMetaBuilder().withName("fairlead").withUid("uid-fairlead").build())
          .withNewSpec()
          .withControllerName(GatewayController.NAME)
          .endSpec()
          .build();
  private final Gateway gateway =
      new GatewayBuilder()
          .withMetadata(
              new ObjectMetaBuilder()
                  .withNamespace(NAMESPACE)
                  .withName("edge")
                  .withUid("uid-edge")
                  .build())
          .withNewSpec()
          .withGatewayClassName("fairlead")
          .addNewListener()
          .withName("http")
          .withProtocol("HTTP")
          .withPort(LISTENER_PORT)
          .endListener()
          .endSpec()
          .build();

  public ClusterState state(StateSpec spec) {
    List<Upstream> ups = new ArrayList<>(spec.upstreams());
    List<Service> svcs = new ArrayList<>();
    List<EndpointSlice> endpointSlices = new ArrayList<>();
    for (int i = 0; i < spec.upstreams(); i++) {
      ups.add(
          upstream(
              i, spec.clusterGeneration(), spec.endpointGenerationOf(i), spec.endpointsEach()));
      if (spec.endpointsEach() > 1) {
        svcs.add(service(i));
        endpointSlices.addAll(slices(i, spec.endpointGenerationOf(i), spec.endpointsEach()));
      }
    }
    while (routes.size() < spec.upstreams()) {
      routes.add(route(routes.size()));
    }
    return new ClusterState(
        ups,
        List.of(gateway),
        routes.subList(0, spec.upstreams()),
        svcs,
        endpointSlices,
        List.of(),
        List.of(),
        List.of(),
        List.of(gatewayClass),
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        List.of());
  }

  public Translation translate(StateSpec spec) {
    return translator.translate(state(spec));
  }

  /**
   * The resources an Envoy of the fleet is served for {@code spec}, by type, each list sorted by
   * name as the translator emits it. Listeners with an {@code api_listener} (for gRPC's xDS client,
   * which Fairlead does not send to Envoy) are left out, so peers are given exactly what Fairlead
   * sends an Envoy.
   */
  public Map<ResourceType, List<Message>> envoyResources(StateSpec spec) {
    FleetConfig fleet = translate(spec).fleets().get(FLEET);
    if (fleet == null) {
      throw new IllegalStateException("the translation has no fleet " + FLEET);
    }
    Map<ResourceType, List<Message>> resources = new EnumMap<>(ResourceType.class);
    resources.put(ResourceType.CLUSTER, List.copyOf(fleet.clusters()));
    resources.put(ResourceType.ENDPOINT, List.copyOf(fleet.endpoints()));
    resources.put(
        ResourceType.LISTENER,
        fleet.listeners().stream()
            .filter(l -> !l.hasApiListener())
            .map(Message.class::cast)
            .toList());
    resources.put(ResourceType.ROUTE, List.copyOf(fleet.routes()));
    if (fleet.clusters().size() != spec.upstreams()
        || fleet.endpoints().size() != spec.upstreams()) {
      throw new IllegalStateException(
          "expected "
              + spec.upstreams()
              + " clusters and assignments, got "
              + fleet.clusters().size()
              + " and "
              + fleet.endpoints().size()
              + ": the generated Upstreams are rejected");
    }
    return resources;
  }

  /**
   * The ClusterLoadAssignment of Upstream {@code index} as {@code spec} has it, as the full
   * translation emits it (an Upstream's endpoints depend on nothing else), without translating
   * everything.
   */
  public Message endpointsOf(StateSpec spec, int index) {
    int generation = spec.endpointGenerationOf(index);
    int width = spec.endpointsEach();
    ClusterState alone =
        new ClusterState(
            List.of(upstream(index, 0, generation, width)),
            List.of(gateway),
            List.of(route(index)),
            width > 1 ? List.of(service(index)) : List.of(),
            width > 1 ? slices(index, generation, width) : List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of(gatewayClass),
            List.of(),
            List.of(),
            List.of(),
            List.of(),
            List.of());
    return translator.translate(alone).fleets().get(FLEET).endpoints().get(0);
  }

  static String upstreamName(int index) {
    return String.format("u-%05d", index);
  }

  private Upstream upstream(int index, int clusterGeneration, int endpointGeneration, int width) {
    return upstreams.computeIfAbsent(
        new UpstreamKey(index, clusterGeneration, width > 1 ? 0 : endpointGeneration, width),
        k -> {
          Upstream upstream = new Upstream();
          upstream.setMetadata(
              new ObjectMetaBuilder()
                  .withNamespace(NAMESPACE)
                  .withName(upstreamName(index))
                  .withUid("uid-u-" + index)
                  .withGeneration(1L)
                  .build());
          String address =
              "127."
                  + (1 + endpointGeneration / 60000 % 200)
                  + "."
                  + (index / 256 % 256)
                  + "."
                  + (index % 256);
          UpstreamSpec.Builder spec =
              UpstreamSpec.builder().connectTimeout((250 + clusterGeneration % 10000) + "ms");
          upstream.setSpec(
              width > 1
                  ? spec.kube(new KubeService(upstreamName(index), null, SERVICE_PORT)).build()
                  : spec.staticHosts(
                          new StaticHosts(
                              List.of(
                                  new StaticHost(
                                      address, 1024 + endpointGeneration % 60000, null))))
                      .build());
          return upstream;
        });
  }

  private static final int SERVICE_PORT = 80;
  private static final int TARGET_PORT = 8080;

  /** The Service behind Upstream {@code index} when it has more than one endpoint. */
  private Service service(int index) {
    return services.computeIfAbsent(
        index,
        i ->
            new ServiceBuilder()
                .withMetadata(
                    new ObjectMetaBuilder()
                        .withNamespace(NAMESPACE)
                        .withName(upstreamName(i))
                        .withUid("uid-s-" + i)
                        .build())
                .withNewSpec()
                .addNewPort()
                .withName("http")
                .withPort(SERVICE_PORT)
                .withNewTargetPort(TARGET_PORT)
                .endPort()
                .endSpec()
                .build());
  }

  /**
   * The EndpointSlices of Upstream {@code index}'s {@code width} endpoints at {@code generation}:
   * all but the one holding the moved endpoint are those of generation 0, the same objects.
   */
  private List<EndpointSlice> slices(int index, int generation, int width) {
    int moved = generation > 0 ? generation % width : -1;
    int count = (width + SLICE_WIDTH - 1) / SLICE_WIDTH;
    List<EndpointSlice> list = new ArrayList<>(count);
    for (int k = 0; k < count; k++) {
      int g = moved >= 0 && moved / SLICE_WIDTH == k ? generation : 0;
      list.add(slices.computeIfAbsent(new SliceKey(index, k, g, width), this::slice));
    }
    return list;
  }

  private EndpointSlice slice(SliceKey key) {
    int first = key.slice() * SLICE_WIDTH;
    int last = Math.min(first + SLICE_WIDTH, key.width());
    int moved = key.endpointGeneration() > 0 ? key.endpointGeneration() % key.width() : -1;
    List<Endpoint> endpoints = new ArrayList<>(last - first);
    for (int j = first; j < last; j++) {
      int n = j == moved ? key.width() + key.endpointGeneration() % 60000 : j;
      endpoints.add(
          new EndpointBuilder()
              .withAddresses(
                  "127." + (1 + n / 65536 % 200) + "." + (n / 256 % 256) + "." + (n % 256))
              .withNewConditions()
              .withReady(true)
              .endConditions()
              .build());
    }
    String name = upstreamName(key.index());
    return new EndpointSliceBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withNamespace(NAMESPACE)
                .withName(name + "-" + key.slice())
                .withUid(
                    "uid-es-" + key.index() + "-" + key.slice() + "-" + key.endpointGeneration())
                .addToLabels("kubernetes.io/service-name", name)
                .build())
        .withAddressType("IPv4")
        .addNewPort()
        .withName("http")
        .withPort(TARGET_PORT)
        .withProtocol("TCP")
        .endPort()
        .withEndpoints(endpoints)
        .build();
  }

  private static HTTPRoute route(int index) {
    return new HTTPRouteBuilder()
        .withMetadata(
            new ObjectMetaBuilder()
                .withNamespace(NAMESPACE)
                .withName("r-" + upstreamName(index))
                .withUid("uid-r-" + index)
                .build())
        .withNewSpec()
        .addNewParentRef()
        .withName("edge")
        .endParentRef()
        .addNewRule()
        .addNewMatch()
        .withNewPath()
        .withType("PathPrefix")
        .withValue("/" + upstreamName(index))
        .endPath()
        .endMatch()
        .addNewBackendRef()
        .withGroup("fairlead.dev")
        .withKind("Upstream")
        .withName(upstreamName(index))
        .endBackendRef()
        .endRule()
        .endSpec()
        .build();
  }
}
