package dev.fairlead.allocator;

import java.util.List;
import java.util.Optional;

/**
 * Where the allocator learns the endpoints of an Upstream. The application provides it from the latest translation
 * (the ready endpoints of each Upstream, with zone, pod and node where the EndpointSlices say); tests provide
 * candidates directly. Implementations must be thread-safe and cheap: it is called on every allocation.
 */
@FunctionalInterface
public interface CandidateSource {

  /**
   * The ready endpoints of an Upstream.
   *
   * @return empty if there is no such Upstream; a present, possibly empty, list if it exists
   */
  Optional<List<Candidate>> candidates(String namespace, String upstream);
}
