package dev.fairlead.allocator;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An endpoint of an Upstream that may be allocated: a ready endpoint, with what is known of what
 * serves behind it.
 *
 * @param labels labels of the target (e.g. the Pod's), matched by an allocation's selector; empty
 *     when unknown
 */
public record Candidate(
    String address,
    int port,
    Optional<String> zone,
    Optional<String> pod,
    Optional<String> node,
    Map<String, String> labels) {

  public Candidate {
    Objects.requireNonNull(address, "address");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1-65535, was " + port);
    }
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(pod, "pod");
    Objects.requireNonNull(node, "node");
    labels = Map.copyOf(labels);
  }

  /** An endpoint of which nothing but its address is known. */
  public static Candidate of(String address, int port) {
    return new Candidate(
        address, port, Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
  }
}
