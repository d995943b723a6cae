package dev.fairlead.bench;

import com.google.protobuf.Message;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.state.GatewayController;
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
 * <p>Not thread-safe: it keeps the objects it made so that a state differing in one Upstream
 * rebuilds one. Use one instance per thread.
 */
public final class BenchConfig {

  public static final String NAMESPACE = "bench";
  public static final String FLEET = NAMESPACE + "/edge";
  static final TranslatorOptions OPTIONS = new TranslatorOptions("127.0.0.1");
  private static final int LISTENER_PORT = 10080;

  private final Translator translator = new Translator(OPTIONS);
  private final Map<Long, Upstream> upstreams = new HashMap<>();
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
    for (int i = 0; i < spec.upstreams(); i++) {
      ups.add(upstream(i, spec.clusterGeneration(), spec.endpointGenerationOf(i)));
    }
    while (routes.size() < spec.upstreams()) {
      routes.add(route(routes.size()));
    }
    return new ClusterState(
        ups,
        List.of(gateway),
        routes.subList(0, spec.upstreams()),
        List.of(),
        List.of(),
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
   * The ClusterLoadAssignment of Upstream {@code index} with its endpoints at {@code generation},
   * as the full translation emits it (an Upstream's endpoints depend on nothing else), without
   * translating everything.
   */
  public Message endpointsOf(int index, int generation) {
    ClusterState alone =
        new ClusterState(
            List.of(upstream(index, 0, generation)),
            List.of(gateway),
            List.of(route(index)),
            List.of(),
            List.of(),
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

  private Upstream upstream(int index, int clusterGeneration, int endpointGeneration) {
    long key = ((long) index << 40) | ((long) clusterGeneration << 20) | endpointGeneration;
    return upstreams.computeIfAbsent(
        key,
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
          upstream.setSpec(
              UpstreamSpec.builder()
                  .staticHosts(
                      new StaticHosts(
                          List.of(
                              new StaticHost(address, 1024 + endpointGeneration % 60000, null))))
                  .connectTimeout((250 + clusterGeneration % 10000) + "ms")
                  .build());
          return upstream;
        });
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
