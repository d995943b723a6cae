package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;

/**
 * One feature at the translator's edge (an HTTPRoute filter, a rule setting, a listener setting):
 * it checks its part of the input and patches what the core translation made. Every hook does
 * nothing unless the feature overrides it, so a feature implements only the hooks it needs; {@link
 * HttpFeatures} runs the hooks of every registered feature in its order.
 *
 * <p>Implementations are stateless (or immutable) and thread-safe, and each hook is a pure function
 * of its arguments: the translator stays byte-for-byte deterministic.
 */
interface HttpFeature {

  /**
   * Adds to {@code problems} each problem of this feature's part of {@code rule} (at {@code
   * field}), as {@code field: what is wrong}. A route with problems is not accepted, and no other
   * hook sees it.
   */
  default void validate(HTTPRouteRule rule, String field, List<String> problems) {}

  /**
   * Patches {@code route}, which the core translation made for one match of {@code rule} (a rule
   * that passed {@link #validate}); it already holds its match and a route action to {@code rule}'s
   * backends.
   *
   * @param backends the clusters the rule refers to
   */
  default void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {}

  /**
   * {@code route}, made for {@code rule} by {@link #patchRoute} and the other features, as the
   * Gateway port {@code port} serves it: what depends on the listener.
   */
  default Route patchPortRoute(int port, HTTPRouteRule rule, Route route) {
    return route;
  }

  /**
   * Patches the connection manager of a Gateway port's listener, given every route that port
   * serves. HTTP filters added here run in the order of the features, before the router.
   */
  default void patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {}
}
