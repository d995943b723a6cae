package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;

/**
 * The ordered list of {@link HttpFeature}s the translator applies: adding a feature is one class and one entry
 * here. The order is the order of the hooks, and so of the HTTP filters in a connection manager.
 *
 * <p>Immutable and thread-safe.
 */
final class HttpFeatures {

  private final List<HttpFeature> features;

  HttpFeatures(List<HttpFeature> features) {
    this.features = List.copyOf(features);
  }

  /** Every feature Fairlead has, in order. */
  static HttpFeatures all(TranslatorOptions options) {
    return new HttpFeatures(List.of(
        new AllocationRoutingFilter(options.unallocatedStatus())));
  }

  void validate(HTTPRouteRule rule, String field, List<String> problems) {
    features.forEach(feature -> feature.validate(rule, field, problems));
  }

  Route.Builder patchRoute(HTTPRouteRule rule, List<Backend> backends, Route.Builder route) {
    features.forEach(feature -> feature.patchRoute(rule, backends, route));
    return route;
  }

  HttpConnectionManager.Builder patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {
    features.forEach(feature -> feature.patchConnectionManager(routes, manager));
    return manager;
  }
}
