package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.util.List;

/**
 * A listener feature: Gateway hostnames never carry a port, and a request's Host may ({@code example.com:1234}),
 * whatever port it came in on; the Gateway API says that port is ignored. So every Gateway port's connection manager
 * strips any port off the Host header before it picks a virtual host, and upstreams see the Host without it.
 *
 * <p>API listeners are not patched: gRPC's xDS client matches its target, port included, against the virtual host
 * domains, which list {@code <hostname>:<port>} for that reason ({@link FleetBuilder}).
 *
 * <p>Stateless and thread-safe.
 */
final class HostPortStripping implements HttpFeature {

  @Override
  public void patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {
    manager.setStripAnyHostPort(true);
  }
}
