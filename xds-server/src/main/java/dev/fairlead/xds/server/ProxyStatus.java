package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One connected xDS stream as the server sees it: the proxy's node id and fleet, whether it speaks delta, who it is
 * (Envoy or another xDS client), and per type the version it last acknowledged, the version last sent to it, its
 * current rejection if any, and its last rejection with when it came (kept after it clears). Immutable snapshot.
 */
public record ProxyStatus(long streamId, String nodeId, String fleet, boolean delta, Audience audience,
    Map<ResourceType, String> ackedVersions, Map<ResourceType, String> sentVersions,
    Map<ResourceType, Nack> rejections, Map<ResourceType, LastNack> lastNacks) {

  public ProxyStatus {
    ackedVersions = Map.copyOf(ackedVersions);
    sentVersions = Map.copyOf(sentVersions);
    rejections = Map.copyOf(rejections);
    lastNacks = Map.copyOf(lastNacks);
  }

  public Optional<String> acked(ResourceType type) {
    return Optional.ofNullable(ackedVersions.get(type));
  }

  public Optional<String> sent(ResourceType type) {
    return Optional.ofNullable(sentVersions.get(type));
  }

  /** A proxy's most recent rejection of a type and when it arrived. */
  public record LastNack(Nack nack, Instant at) {
  }
}
