package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The ordered list of {@link HttpFeature}s the translator applies: adding a feature is one class
 * and one entry here. The order is the order of the hooks, and so of the HTTP filters in a
 * connection manager.
 *
 * <p>It also checks a rule's filter lists as a whole, before each {@link RouteFilter} checks its
 * own filter: a filter type without a feature here is refused as not supported (ExtensionRef, CORS,
 * ExternalAuth …), so is a type given twice in one list (but for a {@linkplain
 * RouteFilter#repeatable() repeatable} one), a configuration missing or belonging to another type,
 * RequestRedirect together with URLRewrite, and on a backendRef a type that is not allowed there.
 *
 * <p>Immutable and thread-safe.
 */
final class HttpFeatures {

  private final List<HttpFeature> features;
  private final Map<String, RouteFilter> filters = new LinkedHashMap<>();

  HttpFeatures(List<HttpFeature> features) {
    this.features = List.copyOf(features);
    for (HttpFeature feature : this.features) {
      if (feature instanceof RouteFilter filter) {
        filters.put(filter.type(), filter);
      }
    }
  }

  /** Every feature Fairlead has, in order. */
  static HttpFeatures all(TranslatorOptions options) {
    return new HttpFeatures(
        List.of(
            new WebSocketUpgrades(),
            new AllocationRoutingFilter(options.unallocatedStatus()),
            HeaderModifierFilter.REQUEST,
            HeaderModifierFilter.RESPONSE,
            new URLRewriteFilter(),
            new RequestRedirectFilter(),
            new RequestMirrorFilter(),
            new RuleTimeouts()));
  }

  void validate(HTTPRouteRule rule, String field, List<String> problems) {
    filterProblems(rule, rule.getFilters(), field + ".filters", false, problems);
    List<HTTPBackendRef> refs = Objects.requireNonNullElse(rule.getBackendRefs(), List.of());
    for (int k = 0; k < refs.size(); k++) {
      if (refs.get(k) != null) {
        filterProblems(
            rule,
            refs.get(k).getFilters(),
            field + ".backendRefs[" + k + "].filters",
            true,
            problems);
      }
    }
    features.forEach(feature -> feature.validate(rule, field, problems));
  }

  private void filterProblems(
      HTTPRouteRule rule,
      List<HTTPRouteFilter> list,
      String field,
      boolean onBackendRef,
      List<String> problems) {
    Set<String> types = new HashSet<>();
    List<HTTPRouteFilter> filterList = Objects.requireNonNullElse(list, List.of());
    for (int i = 0; i < filterList.size(); i++) {
      HTTPRouteFilter filter = filterList.get(i);
      String at = field + "[" + i + "]";
      if (filter == null || filter.getType() == null) {
        problems.add(at + ".type: required");
        continue;
      }
      RouteFilter feature = filters.get(filter.getType());
      if (feature == null) {
        problems.add(
            at
                + ".type: "
                + filter.getType()
                + " is not supported, only "
                + String.join(", ", filters.keySet()));
      } else if (onBackendRef && !feature.onBackendRefs()) {
        problems.add(
            at + ".type: " + filter.getType() + " is not supported on backendRefs, only on rules");
      } else if (!types.add(filter.getType()) && !feature.repeatable()) {
        problems.add(at + ".type: " + filter.getType() + " given twice; each type may appear once");
      } else if (feature.config(filter) == null) {
        problems.add(at + "." + feature.configField() + ": required for type " + filter.getType());
      } else if (configurations(filter) > 1) {
        problems.add(
            at + ": only " + feature.configField() + " may be set for type " + filter.getType());
      } else {
        feature.validate(rule, filter, at, problems);
      }
    }
    if (types.contains("RequestRedirect") && types.contains("URLRewrite")) {
      problems.add(field + ": RequestRedirect and URLRewrite cannot be used together");
    }
  }

  private static long configurations(HTTPRouteFilter filter) {
    return Stream.of(
            filter.getRequestHeaderModifier(),
            filter.getResponseHeaderModifier(),
            filter.getRequestRedirect(),
            filter.getUrlRewrite(),
            filter.getRequestMirror(),
            filter.getExtensionRef(),
            filter.getCors(),
            filter.getExternalAuth())
        .filter(Objects::nonNull)
        .count();
  }

  Route.Builder patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    features.forEach(feature -> feature.patchRoute(rule, backends, route));
    return route;
  }

  /**
   * Patches the weighted cluster of {@code ref} for its filters, which passed {@link #validate}.
   */
  WeightedCluster.ClusterWeight.Builder patchBackendRef(
      HTTPBackendRef ref, WeightedCluster.ClusterWeight.Builder cluster) {
    for (HTTPRouteFilter filter :
        Objects.requireNonNullElse(ref.getFilters(), List.<HTTPRouteFilter>of())) {
      filters.get(filter.getType()).patchBackendRef(filter, cluster);
    }
    return cluster;
  }

  Route patchPortRoute(int port, HTTPRouteRule rule, Route route) {
    Route patched = route;
    for (HttpFeature feature : features) {
      patched = feature.patchPortRoute(port, rule, patched);
    }
    return patched;
  }

  HttpConnectionManager.Builder patchConnectionManager(
      List<Route> routes, HttpConnectionManager.Builder manager) {
    features.forEach(feature -> feature.patchConnectionManager(routes, manager));
    return manager;
  }
}
