package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import java.util.List;

/**
 * Builds Envoy listeners: one {@code http-<port>} per Gateway port, bound to the configured address, and the API
 * listeners gRPC's xDS client asks for by target hostname. Both hold an HttpConnectionManager that takes its
 * route table {@code http-<port>} over ADS and ends its filters with the router. A port's connection manager is
 * patched by the {@link HttpFeatures} given the routes it serves; API listeners never are (gRPC clients have none
 * of those filters).
 *
 * <p>Immutable and thread-safe.
 */
final class ListenerTranslator {

  static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  static final String ROUTER = "envoy.filters.http.router";

  private final String address;
  private final HttpFeatures features;

  ListenerTranslator(String address, HttpFeatures features) {
    this.address = address;
    this.features = features;
  }

  /** The name of the listener and of the route table for {@code port}. */
  static String portName(int port) {
    return "http-" + port;
  }

  /**
   * The listener {@code http-<port>}, bound to the configured address.
   *
   * @param routes every route the port serves
   */
  Listener port(int port, List<Route> routes) {
    String name = portName(port);
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName(HTTP_CONNECTION_MANAGER)
            .setTypedConfig(Any.pack(features.patchConnectionManager(routes, connectionManager(name, name)).addHttpFilters(router()).build()))))
        .build();
  }

  /** The API listener named {@code hostname}, for gRPC clients of {@code xds:///<hostname>}. */
  Listener api(String hostname, String routeConfigName) {
    return Listener.newBuilder()
        .setName(hostname)
        .setApiListener(ApiListener.newBuilder()
            .setApiListener(Any.pack(connectionManager(hostname, routeConfigName).addHttpFilters(router()).build())))
        .build();
  }

  private static HttpConnectionManager.Builder connectionManager(String statPrefix, String routeConfigName) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setConfigSource(Ads.CONFIG_SOURCE).setRouteConfigName(routeConfigName));
  }

  private static HttpFilter router() {
    return HttpFilter.newBuilder().setName(ROUTER).setTypedConfig(Any.pack(Router.getDefaultInstance())).build();
  }
}
