package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One connected xDS stream as the server sees it: the proxy's node id and fleet, whether it speaks
 * delta, who it is (Envoy or another xDS client), and per type the version it last acknowledged,
 * the version last sent to it, its current rejection if any, its last rejection with when it came
 * (kept after it clears), and the change as of which it holds everything it asks for. Immutable
 * snapshot.
 *
 * <p>A version names what one response carried, not what the proxy holds: a named type's response
 * carries only what changed, with the version of the fleet's whole set, so a proxy asking for some
 * resources is sent nothing, and keeps the version it acknowledged, when only others change.
 * Whether a proxy holds the current configuration of what it asks for is {@link #upToDateAsOf}: per
 * type, the change of the fleet's resources ({@link dev.fairlead.xds.cache.XdsCache#latestChange},
 * this replica's count) as of which it acknowledged every response and the cache found nothing more
 * to send it (apart from what it rejects, {@link #rejections}); absent while a response is
 * outstanding and before the first such finding. It holds the current configuration when that is
 * the latest change.
 */
public record ProxyStatus(
    long streamId,
    String nodeId,
    String fleet,
    boolean delta,
    Audience audience,
    Map<ResourceType, String> ackedVersions,
    Map<ResourceType, String> sentVersions,
    Map<ResourceType, Nack> rejections,
    Map<ResourceType, LastNack> lastNacks,
    Map<ResourceType, Long> upToDateAsOf) {

  public ProxyStatus {
    ackedVersions = Map.copyOf(ackedVersions);
    sentVersions = Map.copyOf(sentVersions);
    rejections = Map.copyOf(rejections);
    lastNacks = Map.copyOf(lastNacks);
    upToDateAsOf = Map.copyOf(upToDateAsOf);
  }

  public Optional<String> acked(ResourceType type) {
    return Optional.ofNullable(ackedVersions.get(type));
  }

  public Optional<String> sent(ResourceType type) {
    return Optional.ofNullable(sentVersions.get(type));
  }

  /** A proxy's most recent rejection of a type and when it arrived. */
  public record LastNack(Nack nack, Instant at) {}
}
