package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;

/**
 * Builds Envoy listeners: one {@code http-<port>} per Gateway port, bound to the configured address, and the API
 * listeners gRPC's xDS client asks for by target hostname. Both hold an HttpConnectionManager that takes its
 * route table {@code http-<port>} over ADS and ends its filters with the router. A port whose routes reach Upstreams
 * in allocation mode also gets the filters and local reply of {@link AllocationRouting}; API listeners never do
 * (gRPC clients have no such filter).
 *
 * <p>Immutable and thread-safe.
 */
final class ListenerTranslator {

  static final String HTTP_CONNECTION_MANAGER = "envoy.filters.network.http_connection_manager";
  static final String ROUTER = "envoy.filters.http.router";

  private final String address;
  private final int unallocatedStatus;

  ListenerTranslator(String address, int unallocatedStatus) {
    this.address = address;
    this.unallocatedStatus = unallocatedStatus;
  }

  /** The name of the listener and of the route table for {@code port}. */
  static String portName(int port) {
    return "http-" + port;
  }

  /**
   * The listener {@code http-<port>}, bound to the configured address.
   *
   * @param byAllocation whether some of its routes route by allocation
   */
  Listener port(int port, boolean byAllocation) {
    String name = portName(port);
    return Listener.newBuilder()
        .setName(name)
        .setAddress(Address.newBuilder().setSocketAddress(
            SocketAddress.newBuilder().setAddress(address).setPortValue(port)))
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName(HTTP_CONNECTION_MANAGER)
            .setTypedConfig(Any.pack(connectionManager(name, name, byAllocation)))))
        .build();
  }

  /** The API listener named {@code hostname}, for gRPC clients of {@code xds:///<hostname>}. */
  Listener api(String hostname, String routeConfigName) {
    return Listener.newBuilder()
        .setName(hostname)
        .setApiListener(ApiListener.newBuilder()
            .setApiListener(Any.pack(connectionManager(hostname, routeConfigName, false))))
        .build();
  }

  private HttpConnectionManager connectionManager(String statPrefix, String routeConfigName, boolean byAllocation) {
    HttpConnectionManager.Builder manager = HttpConnectionManager.newBuilder()
        .setStatPrefix(statPrefix)
        .setRds(Rds.newBuilder().setConfigSource(Ads.CONFIG_SOURCE).setRouteConfigName(routeConfigName));
    if (byAllocation) {
      manager.addHttpFilters(AllocationRouting.filter()).setLocalReplyConfig(AllocationRouting.localReply(
          unallocatedStatus));
    }
    return manager
        .addHttpFilters(HttpFilter.newBuilder().setName(ROUTER).setTypedConfig(Any.pack(Router.getDefaultInstance())))
        .build();
  }
}
