package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;

/** One Envoy route and its place among the routes of a virtual host. */
record RouteEntry(RoutePrecedence precedence, Route route) {
}
