package dev.fairlead.xds.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.api.verdict.ObjectRef;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How the gateway routes to Upstreams in allocation mode, with subset load balancing.
 *
 * <ul>
 *   <li>Every endpoint of such an Upstream carries {@code envoy.lb} metadata {@value
 *       #METADATA_KEY}: the name of the Allocation holding it, or {@value #FREE} when nobody does;
 *       the cluster load-balances over subsets by that key, with no fallback.
 *   <li>A route to such an Upstream copies the request header {@value #HEADER} into that metadata
 *       key, lets a request carrying it through only with the allocation's token in {@value
 *       #TOKEN_HEADER}, and answers when the subset is empty: {@link AllocationRoutingFilter}.
 * </ul>
 *
 * <p>An Allocation counts only under the name the allocator gives its endpoint ({@link
 * AllocationNames}): that name is what the API server keeps unique, so a hand-made Allocation of
 * another name cannot claim an endpoint. The allocation name is a routing key; the credential is
 * the token ({@link AllocationTokens}), derived from the Allocation's UID, so an allocation of the
 * same endpoint made again has another one.
 *
 * <p>Built once per translation from the state's Allocations; immutable afterwards.
 */
final class AllocationRouting {

  static final String HEADER = "x-fairlead-allocation";
  static final String TOKEN_HEADER = "x-fairlead-allocation-token";
  static final String METADATA_NAMESPACE = "envoy.lb";
  static final String METADATA_KEY = "fairlead.dev/allocation";

  /**
   * The metadata of an endpoint nobody holds, and of a request without the header; never an object
   * name.
   */
  static final String FREE = "_free";

  /**
   * The Allocation holding an endpoint.
   *
   * @param token its token; empty without a key, or for an object without a UID
   */
  record Holder(String name, Optional<String> token) {}

  /** {@code namespace/upstream} → {@code address:port} → the Allocation holding it. */
  private final Map<String, Map<String, Holder>> holders = new HashMap<>();

  AllocationRouting(List<Allocation> allocations, AllocationTokens tokens) {
    for (Allocation allocation : allocations) {
      AllocationSpec spec = allocation.getSpec();
      if (allocation.getMetadata() == null
          || spec == null
          || spec.upstream() == null
          || spec.endpoint() == null
          || spec.endpoint().address() == null
          || spec.endpoint().port() == null) {
        continue;
      }
      String name = allocation.getMetadata().getName();
      String address = spec.endpoint().address();
      int port = spec.endpoint().port();
      if (name == null
          || !name.equals(AllocationNames.forEndpoint(spec.upstream(), address, port))) {
        continue;
      }
      holders
          .computeIfAbsent(
              ObjectRef.namespaceOf(allocation) + "/" + spec.upstream(), k -> new HashMap<>())
          .put(address + ":" + port, new Holder(name, tokens.tokenFor(allocation)));
    }
  }

  /**
   * {@code cluster} load-balancing over subsets of endpoints that share a holder, with no fallback.
   */
  static Cluster withSubsets(Cluster cluster) {
    return cluster.toBuilder()
        .setLbSubsetConfig(
            Cluster.LbSubsetConfig.newBuilder()
                .setFallbackPolicy(Cluster.LbSubsetConfig.LbSubsetFallbackPolicy.NO_FALLBACK)
                .addSubsetSelectors(
                    Cluster.LbSubsetConfig.LbSubsetSelector.newBuilder().addKeys(METADATA_KEY)))
        .build();
  }

  /**
   * The holders of the endpoints of Upstream {@code namespace/upstream}, by {@code address:port}.
   */
  Map<String, Holder> holdersOf(String key) {
    return holders.getOrDefault(key, Map.of());
  }

  /**
   * The holders of the endpoints of Upstream {@code namespace/upstream}, by {@code address:port},
   * recording the lookup in {@code reads}.
   */
  Map<String, Holder> read(String namespace, String upstream, Reads reads) {
    String key = namespace + "/" + upstream;
    return reads.read(Reads.Source.ALLOCATIONS, key, holdersOf(key));
  }

  /**
   * The tokens of {@code held}, by allocation name: the allocations a request may be pinned to. A
   * holder whose endpoint is gone stays, so that its holder learns so from the unallocated status,
   * not from a refusal; a holder without a token (no key) is left out, so nothing pinned to it
   * passes.
   */
  static SortedMap<String, String> tokens(Map<String, Holder> held) {
    SortedMap<String, String> tokens = new TreeMap<>();
    held.values()
        .forEach(holder -> holder.token().ifPresent(token -> tokens.put(holder.name(), token)));
    return tokens;
  }

  /**
   * {@code assignment} with each endpoint's holder, of the holders {@code held}, in its metadata.
   */
  static ClusterLoadAssignment label(Map<String, Holder> held, ClusterLoadAssignment assignment) {
    ClusterLoadAssignment.Builder labelled = assignment.toBuilder();
    for (LocalityLbEndpoints.Builder locality : labelled.getEndpointsBuilderList()) {
      for (LbEndpoint.Builder endpoint : locality.getLbEndpointsBuilderList()) {
        SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
        Holder found = held.get(address.getAddress() + ":" + address.getPortValue());
        String holder = found == null ? FREE : found.name();
        endpoint.setMetadata(
            Metadata.newBuilder()
                .putFilterMetadata(
                    METADATA_NAMESPACE,
                    Struct.newBuilder()
                        .putFields(METADATA_KEY, Value.newBuilder().setStringValue(holder).build())
                        .build()));
      }
    }
    return labelled.build();
  }

  /**
   * The endpoints of {@code assignment} ready for traffic, in its order, with what {@code targets}
   * (keyed {@code address:port}) knows of them.
   */
  static List<PoolEndpoint> pool(
      ClusterLoadAssignment assignment, Map<String, PoolEndpoint> targets) {
    List<PoolEndpoint> pool = new ArrayList<>();
    for (LocalityLbEndpoints locality : assignment.getEndpointsList()) {
      for (LbEndpoint endpoint : locality.getLbEndpointsList()) {
        if (endpoint.getHealthStatus() != HealthStatus.HEALTHY
            && endpoint.getHealthStatus() != HealthStatus.UNKNOWN) {
          continue;
        }
        SocketAddress address = endpoint.getEndpoint().getAddress().getSocketAddress();
        PoolEndpoint known = targets.get(address.getAddress() + ":" + address.getPortValue());
        pool.add(
            known != null
                ? known
                : new PoolEndpoint(
                    address.getAddress(),
                    address.getPortValue(),
                    locality.getLocality().getZone(),
                    "",
                    ""));
      }
    }
    return List.copyOf(pool);
  }
}
