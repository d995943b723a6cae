package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLogFilter;
import io.envoyproxy.envoy.config.accesslog.v3.AndFilter;
import io.envoyproxy.envoy.config.accesslog.v3.MetadataFilter;
import io.envoyproxy.envoy.config.accesslog.v3.ResponseFlagFilter;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.route.v3.FilterConfig;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.extensions.filters.http.header_to_metadata.v3.Config;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.LocalReplyConfig;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ResponseMapper;
import io.envoyproxy.envoy.type.matcher.v3.MetadataMatcher;
import io.envoyproxy.envoy.type.matcher.v3.ValueMatcher;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How the gateway routes to Upstreams in allocation mode, with subset load balancing.
 *
 * <ul>
 *   <li>Every endpoint of such an Upstream carries {@code envoy.lb} metadata {@value #METADATA_KEY}: the name of the
 *       Allocation holding it, or {@value #FREE} when nobody does; the cluster load-balances over subsets by that
 *       key, with no fallback.</li>
 *   <li>A route to such an Upstream carries a per-route {@code header_to_metadata} configuration that copies the
 *       request header {@value #HEADER} into that metadata key, or sets {@value #FREE} when the header is absent. The
 *       router merges {@code envoy.lb} dynamic metadata into the route's metadata match, so a pinned request can
 *       reach only its allocation's endpoint and an unpinned one only free endpoints.</li>
 *   <li>When the subset is empty — the allocation's endpoint is gone or unhealthy, the name is unknown, or every
 *       endpoint is held — Envoy finds no healthy upstream ({@code UH}); the connection manager's local reply mapper
 *       then answers with the configured unallocated status instead of 503, for requests that went through the
 *       filter only.</li>
 * </ul>
 *
 * <p>An Allocation counts only under the name the allocator gives its endpoint ({@link AllocationNames}): that name is
 * what the API server keeps unique, so a hand-made Allocation of another name cannot claim an endpoint. The
 * per-route configuration is marked optional, so gRPC xDS clients, which have no such filter, ignore it rather than
 * reject the route table. The allocation name is a routing key, not a credential: whoever knows it can send pinned
 * requests.
 *
 * <p>Built once per translation from the state's Allocations; immutable afterwards.
 */
final class AllocationRouting {

  static final String HEADER = "x-fairlead-allocation";
  static final String METADATA_NAMESPACE = "envoy.lb";
  static final String METADATA_KEY = "fairlead.dev/allocation";
  /** The metadata of an endpoint nobody holds, and of a request without the header; never an object name. */
  static final String FREE = "_free";
  static final String FILTER = "envoy.filters.http.header_to_metadata";

  private static final Config REQUEST_RULES = Config.newBuilder()
      .addRequestRules(Config.Rule.newBuilder()
          .setHeader(HEADER)
          .setOnHeaderPresent(Config.KeyValuePair.newBuilder()
              .setMetadataNamespace(METADATA_NAMESPACE).setKey(METADATA_KEY).setType(Config.ValueType.STRING))
          .setOnHeaderMissing(Config.KeyValuePair.newBuilder()
              .setMetadataNamespace(METADATA_NAMESPACE).setKey(METADATA_KEY).setValue(FREE)
              .setType(Config.ValueType.STRING)))
      .build();

  /** {@code namespace/upstream} → {@code address:port} → the name of the Allocation holding it. */
  private final Map<String, Map<String, String>> holders = new HashMap<>();

  AllocationRouting(List<Allocation> allocations) {
    for (Allocation allocation : allocations) {
      AllocationSpec spec = allocation.getSpec();
      if (allocation.getMetadata() == null || spec == null || spec.upstream() == null || spec.endpoint() == null
          || spec.endpoint().address() == null || spec.endpoint().port() == null) {
        continue;
      }
      String name = allocation.getMetadata().getName();
      String address = spec.endpoint().address();
      int port = spec.endpoint().port();
      if (name == null || !name.equals(AllocationNames.forEndpoint(spec.upstream(), address, port))) {
        continue;
      }
      holders.computeIfAbsent(ObjectRef.namespaceOf(allocation) + "/" + spec.upstream(), k -> new HashMap<>())
          .put(address + ":" + port, name);
    }
  }

  /** {@code cluster} load-balancing over subsets of endpoints that share a holder, with no fallback. */
  static Cluster withSubsets(Cluster cluster) {
    return cluster.toBuilder()
        .setLbSubsetConfig(Cluster.LbSubsetConfig.newBuilder()
            .setFallbackPolicy(Cluster.LbSubsetConfig.LbSubsetFallbackPolicy.NO_FALLBACK)
            .addSubsetSelectors(Cluster.LbSubsetConfig.LbSubsetSelector.newBuilder().addKeys(METADATA_KEY)))
        .build();
  }

  /** The holders of the endpoints of Upstream {@code namespace/upstream}, by {@code address:port}. */
  Map<String, String> holdersOf(String key) {
    return holders.getOrDefault(key, Map.of());
  }

  /**
   * {@code assignment} with each endpoint's holder of Upstream {@code namespace/upstream} in its metadata, recording
   * in {@code reads} the holders it used.
   */
  ClusterLoadAssignment label(String namespace, String upstream, ClusterLoadAssignment assignment, Reads reads) {
    String key = namespace + "/" + upstream;
    Map<String, String> held = reads.read(Reads.Source.ALLOCATIONS, key, holdersOf(key));
    ClusterLoadAssignment.Builder labelled = assignment.toBuilder();
    for (LocalityLbEndpoints.Builder locality : labelled.getEndpointsBuilderList()) {
      for (LbEndpoint.Builder endpoint : locality.getLbEndpointsBuilderList()) {
        SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
        String holder = held.getOrDefault(address.getAddress() + ":" + address.getPortValue(), FREE);
        endpoint.setMetadata(Metadata.newBuilder().putFilterMetadata(METADATA_NAMESPACE, Struct.newBuilder()
            .putFields(METADATA_KEY, Value.newBuilder().setStringValue(holder).build()).build()));
      }
    }
    return labelled.build();
  }

  /**
   * The endpoints of {@code assignment} ready for traffic, in its order, with what {@code targets} (keyed
   * {@code address:port}) knows of them.
   */
  static List<PoolEndpoint> pool(ClusterLoadAssignment assignment, Map<String, PoolEndpoint> targets) {
    List<PoolEndpoint> pool = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        if (endpoint.getHealthStatus() != HealthStatus.HEALTHY && endpoint.getHealthStatus() != HealthStatus.UNKNOWN) {
          continue;
        }
        SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
        PoolEndpoint known = targets.get(address.getAddress() + ":" + address.getPortValue());
        pool.add(known != null ? known : new PoolEndpoint(address.getAddress(), address.getPortValue(),
            locality.getLocality().getZone(), "", ""));
      }
    }
    return List.copyOf(pool);
  }

  /** {@code route} with the per-route filter configuration that turns the header into metadata. */
  static Route.Builder routeByAllocation(Route.Builder route) {
    return route.putTypedPerFilterConfig(FILTER, Any.pack(FilterConfig.newBuilder()
        .setConfig(Any.pack(REQUEST_RULES)).setIsOptional(true).build()));
  }

  /** Whether {@code route} routes by allocation. */
  static boolean routesByAllocation(Route route) {
    return route.containsTypedPerFilterConfig(FILTER);
  }

  /** The connection manager's filter; it does nothing on routes without the per-route configuration. */
  static HttpFilter filter() {
    return HttpFilter.newBuilder().setName(FILTER).setTypedConfig(Any.pack(Config.getDefaultInstance())).build();
  }

  /** Answers {@code status} instead of 503 when a request that went through the filter found no endpoint. */
  static LocalReplyConfig localReply(int status) {
    return LocalReplyConfig.newBuilder().addMappers(ResponseMapper.newBuilder()
            .setFilter(AccessLogFilter.newBuilder().setAndFilter(AndFilter.newBuilder()
                .addFilters(AccessLogFilter.newBuilder().setResponseFlagFilter(ResponseFlagFilter.newBuilder()
                    .addFlags("UH")))
                .addFilters(AccessLogFilter.newBuilder().setMetadataFilter(MetadataFilter.newBuilder()
                    .setMatcher(MetadataMatcher.newBuilder()
                        .setFilter(METADATA_NAMESPACE)
                        .addPath(MetadataMatcher.PathSegment.newBuilder().setKey(METADATA_KEY))
                        .setValue(ValueMatcher.newBuilder().setPresentMatch(true)))
                    .setMatchIfKeyNotFound(com.google.protobuf.BoolValue.of(false))))))
            .setStatusCode(UInt32Value.of(status))
            .setBody(DataSource.newBuilder().setInlineString(
                "no endpoint for this request: its allocation's endpoint is gone or unhealthy, or no endpoint is "
                    + "free\n")))
        .build();
  }
}
