package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Turns a fleet's dynamic resources into a static Envoy bootstrap, so that {@code envoy --mode
 * validate} can judge them without a control plane: EDS clusters become STATIC ones carrying their
 * ClusterLoadAssignment inline, and each HttpConnectionManager gets its route table inline instead
 * of over RDS. Envoy proper has no API-listener extension (that is Envoy Mobile's: over LDS it
 * ignores API listeners with a warning), so the connection manager of each API listener is checked
 * inside an ordinary listener on a port of its own instead. SDS secrets become static secrets,
 * which HTTPS filter chains then name without an {@code sds_config}. Everything else is left
 * exactly as the translator made it.
 */
final class EnvoyStaticBootstrap {

  /** Never bound: validation mode opens no sockets. */
  private static final int FIRST_API_LISTENER_PORT = 40_000;

  private EnvoyStaticBootstrap() {}

  static Bootstrap of(String fleet, FleetConfig config) {
    Map<String, ClusterLoadAssignment> assignments =
        config.endpoints().stream()
            .collect(Collectors.toMap(ClusterLoadAssignment::getClusterName, Function.identity()));
    Map<String, RouteConfiguration> routes =
        config.routes().stream()
            .collect(Collectors.toMap(RouteConfiguration::getName, Function.identity()));
    Bootstrap.StaticResources.Builder resources = Bootstrap.StaticResources.newBuilder();
    for (Cluster cluster : config.clusters()) {
      resources.addClusters(
          cluster.getType() == Cluster.DiscoveryType.EDS
              ? cluster.toBuilder()
                  .clearEdsClusterConfig()
                  .setType(Cluster.DiscoveryType.STATIC)
                  .setLoadAssignment(required(assignments, cluster.getName()))
                  .build()
              : cluster);
    }
    resources.addAllSecrets(config.secrets());
    int apiPort = FIRST_API_LISTENER_PORT;
    for (Listener listener : config.listeners()) {
      resources.addListeners(
          staticSecrets(
              inlineRoutes(
                  listener.hasApiListener() ? asOrdinary(listener, apiPort++) : listener, routes)));
    }
    return Bootstrap.newBuilder()
        .setNode(Node.newBuilder().setId("validate").setCluster(fleet))
        .setStaticResources(resources)
        .build();
  }

  private static Listener asOrdinary(Listener api, int port) {
    return Listener.newBuilder()
        .setName("api-listener/" + api.getName())
        .setAddress(
            Address.newBuilder()
                .setSocketAddress(
                    SocketAddress.newBuilder().setAddress("127.0.0.1").setPortValue(port)))
        .addFilterChains(
            FilterChain.newBuilder()
                .addFilters(
                    Filter.newBuilder()
                        .setName(ListenerTranslator.HTTP_CONNECTION_MANAGER)
                        .setTypedConfig(api.getApiListener().getApiListener())))
        .build();
  }

  private static Listener inlineRoutes(Listener listener, Map<String, RouteConfiguration> routes) {
    Listener.Builder builder = listener.toBuilder();
    for (FilterChain.Builder chain : builder.getFilterChainsBuilderList()) {
      for (Filter.Builder filter : chain.getFiltersBuilderList()) {
        filter.setTypedConfig(inlineRoutes(filter.getTypedConfig(), routes));
      }
    }
    return builder.build();
  }

  /**
   * The listener with each TLS certificate named as a static secret (no {@code sds_config}) instead
   * of over ADS.
   */
  private static Listener staticSecrets(Listener listener) {
    Listener.Builder builder = listener.toBuilder();
    for (FilterChain.Builder chain : builder.getFilterChainsBuilderList()) {
      if (chain.hasTransportSocket()
          && chain.getTransportSocket().getTypedConfig().is(DownstreamTlsContext.class)) {
        try {
          DownstreamTlsContext.Builder tls =
              chain
                  .getTransportSocket()
                  .getTypedConfig()
                  .unpack(DownstreamTlsContext.class)
                  .toBuilder();
          tls.getCommonTlsContextBuilder()
              .getTlsCertificateSdsSecretConfigsBuilderList()
              .forEach(SdsSecretConfig.Builder::clearSdsConfig);
          chain.getTransportSocketBuilder().setTypedConfig(Any.pack(tls.build()));
        } catch (InvalidProtocolBufferException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return builder.build();
  }

  private static Any inlineRoutes(Any config, Map<String, RouteConfiguration> routes) {
    if (!config.is(HttpConnectionManager.class)) {
      return config;
    }
    try {
      HttpConnectionManager manager = config.unpack(HttpConnectionManager.class);
      return Any.pack(
          manager.toBuilder()
              .clearRds()
              .setRouteConfig(required(routes, manager.getRds().getRouteConfigName()))
              .build());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private static <T> T required(Map<String, T> resources, String name) {
    T resource = resources.get(name);
    if (resource == null) {
      throw new AssertionError("the fleet has no resource named " + name);
    }
    return resource;
  }
}
