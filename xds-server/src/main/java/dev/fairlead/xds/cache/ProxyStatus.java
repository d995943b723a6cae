package dev.fairlead.xds.cache;

import java.util.Map;
import java.util.Optional;

/**
 * One connected xDS stream as the server sees it: the proxy's node id and fleet, whether it speaks delta, the
 * version it last acknowledged per type, and its current rejection per type, if any. Immutable snapshot.
 */
public record ProxyStatus(long streamId, String nodeId, String fleet, boolean delta,
    Map<ResourceType, String> ackedVersions, Map<ResourceType, Nack> rejections) {

  public ProxyStatus {
    ackedVersions = Map.copyOf(ackedVersions);
    rejections = Map.copyOf(rejections);
  }

  public Optional<String> acked(ResourceType type) {
    return Optional.ofNullable(ackedVersions.get(type));
  }
}
