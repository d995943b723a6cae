package dev.fairlead.xds.translate;

import java.util.Objects;

/**
 * An endpoint of an Upstream in allocation mode, ready for traffic, with what is known of what
 * serves behind it: what the allocator hands out.
 *
 * @param zone the EndpointSlice's zone; empty when unknown
 * @param pod the name of the Pod the EndpointSlice points at; empty when unknown
 * @param node the node the EndpointSlice says it runs on; empty when unknown
 */
public record PoolEndpoint(String address, int port, String zone, String pod, String node) {

  public PoolEndpoint {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(node, "node");
  }

  /** An endpoint of which nothing but its address is known (a static host). */
  static PoolEndpoint of(String address, int port) {
    return new PoolEndpoint(address, port, "", "", "");
  }
}
