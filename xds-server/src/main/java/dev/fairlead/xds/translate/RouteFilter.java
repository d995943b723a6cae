package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An {@link HttpFeature} that implements one type of the Gateway API's HTTPRoute filters. {@link
 * HttpFeatures} checks a rule's filter list as a whole (types it has no feature for, a type given
 * twice, a configuration missing or belonging to another type) and hands each filter to the feature
 * of its type.
 */
interface RouteFilter extends HttpFeature {

  /** The filter type, as {@code spec.rules[*].filters[*].type} spells it. */
  String type();

  /**
   * The configuration of this type in {@code filter} ({@code requestHeaderModifier} for {@code
   * RequestHeaderModifier}, say), or null.
   */
  Object config(HTTPRouteFilter filter);

  /** The name of that configuration's field. */
  String configField();

  /**
   * Whether the filter may appear more than once in one list (the Gateway API allows it for
   * RequestMirror).
   */
  default boolean repeatable() {
    return false;
  }

  /** Whether the filter may sit on a backendRef as well as on a rule. */
  default boolean onBackendRefs() {
    return false;
  }

  /**
   * Adds to {@code problems} each problem of {@code filter} (at {@code field}), of this type and
   * with its configuration set, in {@code rule}.
   */
  void validate(HTTPRouteRule rule, HTTPRouteFilter filter, String field, List<String> problems);

  /**
   * Patches {@code route} for {@code filter}, which passed {@link #validate(HTTPRouteRule,
   * HTTPRouteFilter, String, List)}.
   */
  void patchRoute(HTTPRouteFilter filter, Route.Builder route);

  /**
   * Patches the weighted cluster of a backendRef carrying {@code filter}; only if {@link
   * #onBackendRefs()}.
   */
  default void patchBackendRef(
      HTTPRouteFilter filter, WeightedCluster.ClusterWeight.Builder cluster) {}

  /** Applies this type's filter of {@code rule}, if it has one (a valid rule has at most one). */
  @Override
  default void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    filterOf(rule).ifPresent(filter -> patchRoute(filter, route));
  }

  /** This type's filter of {@code rule}, if it has one. */
  default Optional<HTTPRouteFilter> filterOf(HTTPRouteRule rule) {
    return Objects.requireNonNullElse(rule.getFilters(), List.<HTTPRouteFilter>of()).stream()
        .filter(filter -> type().equals(filter.getType()))
        .findFirst();
  }
}
