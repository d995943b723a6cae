package dev.fairlead.allocator;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the allocator learns the endpoints of an Upstream. The application provides it from the
 * latest translation (the ready endpoints of each Upstream in allocation mode, with zone, pod and
 * node where the EndpointSlices say); tests provide candidates directly. Implementations must be
 * thread-safe and cheap: it is called on every allocation.
 */
@FunctionalInterface
public interface CandidateSource {

  /**
   * The ready endpoints of an Upstream one may allocate from.
   *
   * @return empty if there is no such Upstream, or it cannot be allocated from; a present, possibly
   *     empty, list if it can
   */
  Optional<List<Candidate>> candidates(String namespace, String upstream);

  /**
   * Whether the source has a complete view, so that an Upstream it has no list for really is gone
   * or not allocatable (rather than not seen yet). By default, always.
   */
  default boolean ready() {
    return true;
  }

  /**
   * Why an Upstream that {@link #candidates} has no list for cannot be allocated from although it
   * exists (e.g. "not in allocation mode"); empty when it does not exist.
   */
  default Optional<String> unavailable(String namespace, String upstream) {
    return Optional.empty();
  }

  /**
   * The labels of what serves behind {@code candidate} (its Pod's), for selectors that ask for
   * labels; called only then, so it may be costlier than {@link #candidates}. By default, the
   * candidate's own labels.
   */
  default Map<String, String> targetLabels(String namespace, Candidate candidate) {
    return candidate.labels();
  }
}
