package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.BoolValue;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.MetadataFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.header_to_metadata.v3.Config;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The routing half of {@link AllocationRouting}, as an {@link HttpFeature}.
 *
 * <ul>
 *   <li>A route to an Upstream in allocation mode carries a per-route {@code header_to_metadata}
 *       configuration that copies the request header {@value AllocationRouting#HEADER} into the
 *       {@code envoy.lb} metadata key {@value AllocationRouting#METADATA_KEY}, or sets {@value
 *       AllocationRouting#FREE} when the header is absent. The router merges {@code envoy.lb}
 *       dynamic metadata into the route's metadata match, so a pinned request can reach only its
 *       allocation's endpoint and an unpinned one only free endpoints. The configuration is marked
 *       optional, so gRPC xDS clients, which have no such filter, ignore it rather than reject the
 *       route table.
 *   <li>Such a route also carries a per-route RBAC policy that lets a request through when it names
 *       no allocation, or when it names a live allocation of the route's backends in {@value
 *       AllocationRouting#HEADER} <em>and</em> carries that allocation's token ({@link
 *       dev.fairlead.api.v1alpha1.AllocationTokens}) in {@value AllocationRouting#TOKEN_HEADER};
 *       every other pinned request — no token, a wrong one, an allocation that is unknown or
 *       released — gets Envoy's 403. The route removes the token header before the request goes
 *       upstream, so the backend never sees it. A released allocation's policy leaves with the next
 *       route configuration, the same push that frees its endpoint, so its token stops working no
 *       later than the endpoint is free.
 *   <li>A connection manager serving such a route gets the RBAC filter (with no policy of its own,
 *       so it enforces nothing on other routes), the {@code header_to_metadata} filter, and a local
 *       reply mapper: when the subset is empty — the allocation's endpoint is gone or unhealthy, or
 *       every endpoint is held — Envoy finds no healthy upstream ({@code UH}), and the mapper
 *       answers with the configured unallocated status instead of 503, for requests that went
 *       through the filter only.
 * </ul>
 *
 * <p><b>Why RBAC per route, and not a header match.</b> Matching the token in the route's own
 * header matchers would take one route per allocation and a catch-all route answering 403,
 * multiplying the route table and making pinned requests that miss fall through to other routes of
 * the same path; a per-route RBAC policy keeps one route per rule, denies with Envoy's own 403
 * before anything is routed, and changes only that route's configuration when allocations come and
 * go. Its per-route configuration is marked optional, like the {@code header_to_metadata} one:
 * Envoy has the RBAC filter and so always enforces it (optional only lets a client without the
 * filter ignore it), while a gRPC xDS client served the same route table (an API listener of the
 * port) keeps accepting it — gRPC load-balances without subsets, so allocation routing, and with it
 * the token check, never applies to it (see docs/allocation.md). Envoy compares the token with an
 * ordinary string match, not in constant time; the token is 256 bits of HMAC output, so what a
 * timing difference could reveal is a prefix of one allocation's token, and guessing the rest stays
 * out of reach. The tokens are in the route configuration, so whoever can read Envoy's or
 * Fairlead's configuration dumps can read them: those dumps are as sensitive as the key's Secret.
 *
 * <p>Immutable and thread-safe.
 */
final class AllocationRoutingFilter implements HttpFeature {

  static final String FILTER = "envoy.filters.http.header_to_metadata";
  static final String RBAC_FILTER = "envoy.filters.http.rbac";

  /**
   * The policy of requests that name no allocation; never an allocation name, which has no spaces.
   */
  static final String UNPINNED_POLICY = "unpinned requests";

  private static final Config REQUEST_RULES =
      Config.newBuilder()
          .addRequestRules(
              Config.Rule.newBuilder()
                  .setHeader(AllocationRouting.HEADER)
                  .setOnHeaderPresent(
                      Config.KeyValuePair.newBuilder()
                          .setMetadataNamespace(AllocationRouting.METADATA_NAMESPACE)
                          .setKey(AllocationRouting.METADATA_KEY)
                          .setType(Config.ValueType.STRING))
                  .setOnHeaderMissing(
                      Config.KeyValuePair.newBuilder()
                          .setMetadataNamespace(AllocationRouting.METADATA_NAMESPACE)
                          .setKey(AllocationRouting.METADATA_KEY)
                          .setValue(AllocationRouting.FREE)
                          .setType(Config.ValueType.STRING)))
          .build();

  private final int unallocatedStatus;

  /**
   * @param unallocatedStatus the status answered to a request routed by allocation that finds no
   *     endpoint
   */
  AllocationRoutingFilter(int unallocatedStatus) {
    this.unallocatedStatus = unallocatedStatus;
  }

  @Override
  public void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    if (backends.referenced().stream().noneMatch(Backend::byAllocation)) {
      return;
    }
    SortedMap<String, String> tokens = new TreeMap<>();
    backends.referenced().stream()
        .filter(Backend::byAllocation)
        .forEach(backend -> tokens.putAll(backend.tokens()));
    route
        .putTypedPerFilterConfig(
            RBAC_FILTER,
            Any.pack(
                FilterConfig.newBuilder()
                    .setConfig(
                        Any.pack(
                            RBACPerRoute.newBuilder()
                                .setRbac(RBAC.newBuilder().setRules(policies(tokens)))
                                .build()))
                    .setIsOptional(true)
                    .build()))
        .putTypedPerFilterConfig(
            FILTER,
            Any.pack(
                FilterConfig.newBuilder()
                    .setConfig(Any.pack(REQUEST_RULES))
                    .setIsOptional(true)
                    .build()))
        .addRequestHeadersToRemove(AllocationRouting.TOKEN_HEADER);
  }

  /**
   * Allows requests that name no allocation, and those naming one of {@code tokens} with its token.
   */
  private static io.envoyproxy.envoy.config.rbac.v3.RBAC policies(
      SortedMap<String, String> tokens) {
    Principal anyone = Principal.newBuilder().setAny(true).build();
    io.envoyproxy.envoy.config.rbac.v3.RBAC.Builder rules =
        io.envoyproxy
            .envoy
            .config
            .rbac
            .v3
            .RBAC
            .newBuilder()
            .setAction(io.envoyproxy.envoy.config.rbac.v3.RBAC.Action.ALLOW)
            .putPolicies(
                UNPINNED_POLICY,
                Policy.newBuilder()
                    .addPrincipals(anyone)
                    .addPermissions(
                        Permission.newBuilder()
                            .setNotRule(
                                Permission.newBuilder()
                                    .setHeader(
                                        HeaderMatcher.newBuilder()
                                            .setName(AllocationRouting.HEADER)
                                            .setPresentMatch(true))))
                    .build());
    tokens.forEach(
        (name, token) ->
            rules.putPolicies(
                name,
                Policy.newBuilder()
                    .addPrincipals(anyone)
                    .addPermissions(
                        Permission.newBuilder()
                            .setAndRules(
                                Permission.Set.newBuilder()
                                    .addRules(exactHeader(AllocationRouting.HEADER, name))
                                    .addRules(exactHeader(AllocationRouting.TOKEN_HEADER, token))))
                    .build()));
    return rules.build();
  }

  private static Permission exactHeader(String header, String value) {
    return Permission.newBuilder()
        .setHeader(
            HeaderMatcher.newBuilder()
                .setName(header)
                .setStringMatch(StringMatcher.newBuilder().setExact(value)))
        .build();
  }

  /**
   * Adds the RBAC filter and the {@code header_to_metadata} filter, which do nothing on routes
   * without their per-route configuration, and the local reply.
   */
  @Override
  public void patchConnectionManager(List<Route> routes, HttpConnectionManager.Builder manager) {
    if (routes.stream().anyMatch(route -> route.containsTypedPerFilterConfig(FILTER))) {
      manager
          .addHttpFilters(
              HttpFilter.newBuilder()
                  .setName(RBAC_FILTER)
                  .setTypedConfig(Any.pack(RBAC.getDefaultInstance())))
          .addHttpFilters(
              HttpFilter.newBuilder()
                  .setName(FILTER)
                  .setTypedConfig(Any.pack(Config.getDefaultInstance())))
          .setLocalReplyConfig(localReply());
    }
  }

  /**
   * Answers the unallocated status instead of 503 when a request that went through the filter found
   * no endpoint.
   */
  private LocalReplyConfig localReply() {
    return LocalReplyConfig.newBuilder()
        .addMappers(
            ResponseMapper.newBuilder()
                .setFilter(
                    AccessLogFilter.newBuilder()
                        .setAndFilter(
                            AndFilter.newBuilder()
                                .addFilters(
                                    AccessLogFilter.newBuilder()
                                        .setResponseFlagFilter(
                                            ResponseFlagFilter.newBuilder().addFlags("UH")))
                                .addFilters(
                                    AccessLogFilter.newBuilder()
                                        .setMetadataFilter(
                                            MetadataFilter.newBuilder()
                                                .setMatcher(
                                                    MetadataMatcher.newBuilder()
                                                        .setFilter(
                                                            AllocationRouting.METADATA_NAMESPACE)
                                                        .addPath(
                                                            MetadataMatcher.PathSegment.newBuilder()
                                                                .setKey(
                                                                    AllocationRouting.METADATA_KEY))
                                                        .setValue(
                                                            ValueMatcher.newBuilder()
                                                                .setPresentMatch(true)))
                                                .setMatchIfKeyNotFound(BoolValue.of(false))))))
                .setStatusCode(UInt32Value.of(unallocatedStatus))
                .setBody(
                    DataSource.newBuilder()
                        .setInlineString(
                            "no endpoint for this request: its allocation's endpoint is gone or unhealthy, or no endpoint is "
                                + "free\n")))
        .build();
  }
}
