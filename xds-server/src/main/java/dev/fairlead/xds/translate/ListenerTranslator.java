package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import java.util.List;
import java.util.Optional;

/**
 * Builds Envoy listeners: one {@code http-<port>} per Gateway port, bound to the configured
 * address, and the API listeners gRPC's xDS client asks for by target hostname. Both hold an
 * HttpConnectionManager that takes its route table {@code http-<port>} over ADS and ends its
 * filters with the router. A port's connection manager is patched by the {@link HttpFeatures} given
 * the routes it serves; API listeners never are (gRPC clients have none of those filters).
 *
 * <p>A port of HTTPS listeners terminates TLS: the TLS inspector reads the client's SNI, and each
 * Gateway listener is one filter chain matching its hostname ({@code server_names}; none for a
 * listener without hostname, which takes every other name), offering ALPN {@code h2} and {@code
 * http/1.1}, with its certificates named as SDS secrets over ADS — so the listener never holds a
 * private key, and a certificate rotated is a new secret version that leaves the listener, and its
 * connections, as they are. Every chain of a port runs the same connection manager and route table:
 * which routes a request reaches depends on its Host, as on an HTTP port.
 *
 * <p>Immutable and thread-safe.
 */
final class ListenerTranslator {

  static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  static final String ROUTER = "envoy.filters.http.router";
  static final String TLS_INSPECTOR = "envoy.filters.listener.tls_inspector";
  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";

  /**
   * One HTTPS Gateway listener of a port: a filter chain.
   *
   * @param serverName the SNI it matches; empty for every name no other chain matches
   * @param secrets the names of the SDS secrets it serves, at least one
   */
  record TlsChain(Optional<String> serverName, List<String> secrets) {}

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
   * @param tls the port's HTTPS listeners, in spec order; empty for a plain-HTTP port
   */
  Listener port(int port, List<Route> routes, List<TlsChain> tls) {
    String name = portName(port);
    Filter manager =
        Filter.newBuilder()
            .setName(HTTP_CONNECTION_MANAGER)
            .setTypedConfig(
                Any.pack(
                    features
                        .patchConnectionManager(routes, connectionManager(name, name))
                        .addHttpFilters(router())
                        .build()))
            .build();
    Listener.Builder listener =
        Listener.newBuilder()
            .setName(name)
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress(address).setPortValue(port)));
    if (tls.isEmpty()) {
      return listener.addFilterChains(FilterChain.newBuilder().addFilters(manager)).build();
    }
    listener.addListenerFilters(
        ListenerFilter.newBuilder()
            .setName(TLS_INSPECTOR)
            .setTypedConfig(Any.pack(TlsInspector.getDefaultInstance())));
    for (TlsChain chain : tls) {
      FilterChain.Builder filterChain =
          FilterChain.newBuilder()
              .addFilters(manager)
              .setTransportSocket(
                  TransportSocket.newBuilder()
                      .setName(TLS_TRANSPORT_SOCKET)
                      .setTypedConfig(Any.pack(downstreamTls(chain.secrets()))));
      chain
          .serverName()
          .ifPresent(
              serverName ->
                  filterChain.setFilterChainMatch(
                      FilterChainMatch.newBuilder().addServerNames(serverName)));
      listener.addFilterChains(filterChain);
    }
    return listener.build();
  }

  private static DownstreamTlsContext downstreamTls(List<String> secrets) {
    CommonTlsContext.Builder common =
        CommonTlsContext.newBuilder().addAlpnProtocols("h2").addAlpnProtocols("http/1.1");
    secrets.forEach(
        secret ->
            common.addTlsCertificateSdsSecretConfigs(
                SdsSecretConfig.newBuilder().setName(secret).setSdsConfig(Ads.CONFIG_SOURCE)));
    return DownstreamTlsContext.newBuilder().setCommonTlsContext(common).build();
  }

  /** The API listener named {@code hostname}, for gRPC clients of {@code xds:///<hostname>}. */
  Listener api(String hostname, String routeConfigName) {
    return Listener.newBuilder()
        .setName(hostname)
        .setApiListener(
            ApiListener.newBuilder()
                .setApiListener(
                    Any.pack(
                        connectionManager(hostname, routeConfigName)
                            .addHttpFilters(router())
                            .build())))
        .build();
  }

  private static HttpConnectionManager.Builder connectionManager(
      String statPrefix, String routeConfigName) {
    return HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(
            Rds.newBuilder()
                .setConfigSource(Ads.CONFIG_SOURCE)
                .setRouteConfigName(routeConfigName));
  }

  private static HttpFilter router() {
    return HttpFilter.newBuilder()
        .setName(ROUTER)
        .setTypedConfig(Any.pack(Router.getDefaultInstance()))
        .build();
  }
}
