package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;

/**
 * The Gateway API's {@code RequestHeaderModifier} and {@code ResponseHeaderModifier} filters, on a
 * rule or a backendRef: the route's (or the weighted cluster's) request or response headers to add
 * and to remove, as {@link HeaderModifier} reads the filter. The two differ only in which headers
 * they touch, so one class serves both: {@link #REQUEST} and {@link #RESPONSE}.
 *
 * <p>Immutable and thread-safe.
 */
final class HeaderModifierFilter implements RouteFilter {

  static final HeaderModifierFilter REQUEST = new HeaderModifierFilter(true);
  static final HeaderModifierFilter RESPONSE = new HeaderModifierFilter(false);

  private final boolean request;

  private HeaderModifierFilter(boolean request) {
    this.request = request;
  }

  @Override
  public String type() {
    return request ? "RequestHeaderModifier" : "ResponseHeaderModifier";
  }

  @Override
  public HTTPHeaderFilter config(HTTPRouteFilter filter) {
    return request ? filter.getRequestHeaderModifier() : filter.getResponseHeaderModifier();
  }

  @Override
  public String configField() {
    return request ? "requestHeaderModifier" : "responseHeaderModifier";
  }

  @Override
  public boolean onBackendRefs() {
    return true;
  }

  @Override
  public void validate(
      HTTPRouteRule rule, HTTPRouteFilter filter, String field, List<String> problems) {
    HeaderModifier.validate(config(filter), field + "." + configField(), problems);
  }

  @Override
  public void patchRoute(HTTPRouteFilter filter, Route.Builder route) {
    HeaderModifier modifier = HeaderModifier.of(config(filter));
    if (request) {
      route
          .addAllRequestHeadersToAdd(modifier.toAdd())
          .addAllRequestHeadersToRemove(modifier.toRemove());
    } else {
      route
          .addAllResponseHeadersToAdd(modifier.toAdd())
          .addAllResponseHeadersToRemove(modifier.toRemove());
    }
  }

  @Override
  public void patchBackendRef(
      HTTPRouteFilter filter, WeightedCluster.ClusterWeight.Builder cluster) {
    HeaderModifier modifier = HeaderModifier.of(config(filter));
    if (request) {
      cluster
          .addAllRequestHeadersToAdd(modifier.toAdd())
          .addAllRequestHeadersToRemove(modifier.toRemove());
    } else {
      cluster
          .addAllResponseHeadersToAdd(modifier.toAdd())
          .addAllResponseHeadersToRemove(modifier.toRemove());
    }
  }
}
