package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.ResourceType;
import java.util.List;

/**
 * A proxy's rejection of a response: which proxy (node id, fleet), which type and version, the
 * resources that response carried, and the proxy's own message. Immutable.
 */
public record Nack(
    String nodeId,
    String fleet,
    ResourceType type,
    String rejectedVersion,
    List<String> resourceNames,
    String message) {

  public Nack {
    resourceNames = List.copyOf(resourceNames);
  }
}
