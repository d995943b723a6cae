package dev.fairlead.xds.cache;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A delta response as the cache makes it: the resources as the shared {@link Resource} messages
 * ({@link EncodedResource#deltaResource()}), in name order — a list of references, where java-control-plane's
 * {@link DeltaResponse} keeps a map with an entry and a {@link VersionedResource} per resource. A full push answers
 * a thousand streams' watches at once, and those maps (10,000 entries each) were most of its memory. Fairlead's ADS
 * service sends {@link #encoded()} as it is; {@link #resources()} builds the map for anyone else. Immutable.
 */
public final class EncodedDeltaResponse extends DeltaResponse {

  private final DeltaXdsRequest request;
  private final List<Resource> encoded;
  private final List<String> removedResources;
  private final String version;

  EncodedDeltaResponse(DeltaXdsRequest request, List<Resource> encoded, List<String> removedResources,
      String version) {
    this.request = request;
    this.encoded = List.copyOf(encoded);
    this.removedResources = List.copyOf(removedResources);
    this.version = version;
  }

  /** The resources to send, in name order. */
  public List<Resource> encoded() {
    return encoded;
  }

  @Override
  public DeltaXdsRequest request() {
    return request;
  }

  @Override
  public Map<String, VersionedResource<? extends Message>> resources() {
    Map<String, VersionedResource<? extends Message>> map = new LinkedHashMap<>();
    for (Resource resource : encoded) {
      map.put(resource.getName(), VersionedResource.create(resource.getResource(), resource.getVersion()));
    }
    return map;
  }

  @Override
  public List<String> removedResources() {
    return removedResources;
  }

  @Override
  public String version() {
    return version;
  }
}
