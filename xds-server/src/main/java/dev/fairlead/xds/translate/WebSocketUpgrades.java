package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;

/**
 * A listener feature: every Gateway port's connection manager lets HTTP/1.1 requests upgrade to
 * WebSocket ({@code upgrade_configs: [{upgrade_type: websocket}]}), so a route's backend can serve
 * WebSockets through the gateway as Envoy Gateway allows by default. Envoy otherwise strips the
 * {@code Upgrade} header and the backend never sees the handshake. The upgraded connection is
 * routed like the request that asked for it: its route's matches, filters and backends apply.
 *
 * <p>API listeners are not patched: gRPC's xDS client has no use for upgrades.
 *
 * <p>Stateless and thread-safe.
 */
final class WebSocketUpgrades implements HttpFeature {

  static final String WEBSOCKET = "websocket";

  @Override
  public void patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {
    manager.addUpgradeConfigs(
        HttpConnectionManager.UpgradeConfig.newBuilder().setUpgradeType(WEBSOCKET));
  }
}
