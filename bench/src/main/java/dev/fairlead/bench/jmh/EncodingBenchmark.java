package dev.fairlead.bench.jmh;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import dev.fairlead.bench.BenchConfig;
import dev.fairlead.bench.StateSpec;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Setup;

/**
 * Encoding the resources of {@code upstreams} Upstreams: Fairlead's once-per-version encoding
 * (deterministic bytes and SHA-256 version), the plain {@code Any.pack} java-control-plane's
 * default serializer does per response and client, and {@code XdsCache.setFleet} after one endpoint
 * change (what it costs to find the one resource that changed among all of them, with no stream
 * open).
 */
public class EncodingBenchmark extends BenchmarkDefaults {

  private List<Message> clusters;
  private List<Message> endpoints;
  private XdsCache cache;
  private Map<ResourceType, List<Message>>[] oneChanged;
  private int next;

  @Setup
  @SuppressWarnings("unchecked")
  public void generate() {
    BenchConfig config = new BenchConfig();
    StateSpec spec = StateSpec.of(upstreams);
    Map<ResourceType, List<Message>> resources = config.envoyResources(spec);
    clusters = resources.get(ResourceType.CLUSTER);
    endpoints = resources.get(ResourceType.ENDPOINT);
    cache = new XdsCache();
    cache.setFleet(BenchConfig.FLEET, resources);
    oneChanged =
        new Map[] {
          config.envoyResources(spec.withEndpoints(upstreams / 2, 1)),
          config.envoyResources(spec.withEndpoints(upstreams / 2, 2))
        };
  }

  @Benchmark
  public List<EncodedResource> encodeOnceAll() {
    List<EncodedResource> encoded = new ArrayList<>(clusters.size() + endpoints.size());
    clusters.forEach(cluster -> encoded.add(EncodedResource.encode(ResourceType.CLUSTER, cluster)));
    endpoints.forEach(
        assignment -> encoded.add(EncodedResource.encode(ResourceType.ENDPOINT, assignment)));
    return encoded;
  }

  @Benchmark
  public List<Any> anyPackAll() {
    List<Any> packed = new ArrayList<>(clusters.size() + endpoints.size());
    clusters.forEach(cluster -> packed.add(Any.pack(cluster)));
    endpoints.forEach(assignment -> packed.add(Any.pack(assignment)));
    return packed;
  }

  @Benchmark
  public XdsCache setFleetOneEndpointChanged() {
    next ^= 1;
    cache.setFleet(BenchConfig.FLEET, oneChanged[next]);
    return cache;
  }
}
