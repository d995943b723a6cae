package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;

/**
 * One Envoy route and its place among the routes of a virtual host.
 *
 * @param rule the rule it was made for, which features consult once the port serving it is known
 */
record RouteEntry(HTTPRouteRule rule, RoutePrecedence precedence, Route route) {}
