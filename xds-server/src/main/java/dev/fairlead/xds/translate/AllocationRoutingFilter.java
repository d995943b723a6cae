package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.MetadataFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.header_to_metadata.v3.Config;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;

/**
 * The routing half of {@link AllocationRouting}, as an {@link HttpFeature}.
 *
 * <ul>
 *   <li>A route to an Upstream in allocation mode carries a per-route {@code header_to_metadata} configuration that
 *       copies the request header {@value AllocationRouting#HEADER} into the {@code envoy.lb} metadata key
 *       {@value AllocationRouting#METADATA_KEY}, or sets {@value AllocationRouting#FREE} when the header is absent.
 *       The router merges {@code envoy.lb} dynamic metadata into the route's metadata match, so a pinned request can
 *       reach only its allocation's endpoint and an unpinned one only free endpoints. The configuration is marked
 *       optional, so gRPC xDS clients, which have no such filter, ignore it rather than reject the route table.</li>
 *   <li>A connection manager serving such a route gets the filter, and a local reply mapper: when the subset is
 *       empty — the allocation's endpoint is gone or unhealthy, the name is unknown, or every endpoint is held —
 *       Envoy finds no healthy upstream ({@code UH}), and the mapper answers with the configured unallocated status
 *       instead of 503, for requests that went through the filter only.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
final class AllocationRoutingFilter implements HttpFeature {

  static final String FILTER = "envoy.filters.http.header_to_metadata";

  private static final Config REQUEST_RULES = Config.newBuilder()
      .addRequestRules(Config.Rule.newBuilder()
          .setHeader(AllocationRouting.HEADER)
          .setOnHeaderPresent(Config.KeyValuePair.newBuilder()
              .setMetadataNamespace(AllocationRouting.METADATA_NAMESPACE).setKey(AllocationRouting.METADATA_KEY)
              .setType(Config.ValueType.STRING))
          .setOnHeaderMissing(Config.KeyValuePair.newBuilder()
              .setMetadataNamespace(AllocationRouting.METADATA_NAMESPACE).setKey(AllocationRouting.METADATA_KEY)
              .setValue(AllocationRouting.FREE).setType(Config.ValueType.STRING)))
      .build();

  private final int unallocatedStatus;

  /**
   * @param unallocatedStatus the status answered to a request routed by allocation that finds no endpoint
   */
  AllocationRoutingFilter(int unallocatedStatus) {
    this.unallocatedStatus = unallocatedStatus;
  }

  @Override
  public void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    if (backends.referenced().stream().anyMatch(Backend::byAllocation)) {
      route.putTypedPerFilterConfig(FILTER, Any.pack(FilterConfig.newBuilder()
          .setConfig(Any.pack(REQUEST_RULES)).setIsOptional(true).build()));
    }
  }

  /** Adds the filter, which does nothing on routes without the per-route configuration, and the local reply. */
  @Override
  public void patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {
    if (routes.stream().anyMatch(route -> route.containsTypedPerFilterConfig(FILTER))) {
      manager.addHttpFilters(HttpFilter.newBuilder().setName(FILTER)
              .setTypedConfig(Any.pack(Config.getDefaultInstance())))
          .setLocalReplyConfig(localReply());
    }
  }

  /** Answers the unallocated status instead of 503 when a request that went through the filter found no endpoint. */
  private LocalReplyConfig localReply() {
    return LocalReplyConfig.newBuilder().addMappers(ResponseMapper.newBuilder()
            .setFilter(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
                .addFilters(AccessLogFilter.newBuilder().setResponseFlagFilter(ResponseFlagFilter.newBuilder()
                    .addFlags("UH")))
                .addFilters(AccessLogFilter.newBuilder().setMetadataFilter(MetadataFilter.newBuilder()
                    .setMatcher(MetadataMatcher.newBuilder()
                        .setFilter(AllocationRouting.METADATA_NAMESPACE)
                        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(AllocationRouting.METADATA_KEY))
                        .setValue(ValueMatcher.newBuilder().setPresentMatch(true)))
                    .setMatchIfKeyNotFound(BoolValue.of(false))))))
            .setStatusCode(UInt32Value.of(unallocatedStatus))
            .setBody(DataSource.newBuilder().setInlineString(
                "no endpoint for this request: its allocation's endpoint is gone or unhealthy, or no endpoint is "
                    + "free\n")))
        .build();
  }
}
