package dev.fairlead.allocator;

import dev.fairlead.allocation.v1.Selector;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * Which candidates an allocation request may take, and in what order it tries them: those of {@code
 * ordered} (a {@link RandomOrder}, so that callers spread out) that match the request's selector
 * and that no allocation is known to hold. Decides only; {@link EndpointAllocator} tries the
 * candidates, and the API server decides which create wins.
 *
 * <p>Lazy: a candidate is looked at only when the caller asks for the next one, so choosing the
 * first free one of thousands costs a few checks, and Pod labels are read only for a selector that
 * asks for labels.
 *
 * @param selector the request's selector; an empty one matches every candidate
 * @param targetLabels the labels of what serves behind a candidate ({@link
 *     CandidateSource#targetLabels})
 * @param held whether an allocation is known to hold a candidate
 */
record CandidateChoice(
    Selector selector,
    Function<Candidate, Map<String, String>> targetLabels,
    Predicate<Candidate> held) {

  CandidateChoice {
    Objects.requireNonNull(selector, "selector");
    Objects.requireNonNull(targetLabels, "targetLabels");
    Objects.requireNonNull(held, "held");
  }

  /** The candidates of {@code ordered} to try, in its order. */
  Iterator<Candidate> among(Iterable<Candidate> ordered) {
    return StreamSupport.stream(ordered.spliterator(), false)
        .filter(candidate -> matches(candidate) && !held.test(candidate))
        .iterator();
  }

  /**
   * Whether {@code candidate} is in the selector's zone (if it names one) and has every label it
   * names.
   */
  boolean matches(Candidate candidate) {
    if (!selector.getZone().isEmpty()
        && !candidate.zone().equals(Optional.of(selector.getZone()))) {
      return false;
    }
    if (selector.getLabelsMap().isEmpty()) {
      return true;
    }
    Map<String, String> labels = targetLabels.apply(candidate);
    for (Map.Entry<String, String> label : selector.getLabelsMap().entrySet()) {
      if (!label.getValue().equals(labels.get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
