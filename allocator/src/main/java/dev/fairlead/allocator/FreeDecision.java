package dev.fairlead.allocator;

import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationEndpoint;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Whether an allocation should be freed, and why, decided from the allocation, the clock's reading
 * and what the {@link CandidateSource} knows, without writing anything; {@link AllocationWriter}
 * carries a {@link Free} out. {@link #sweep} is pure for a given candidate source, so the sweeper's
 * rules are tested without an API server.
 */
sealed interface FreeDecision {

  /** The allocation stays. */
  record Keep(String why) implements FreeDecision {}

  /** Free the allocation; {@code why} is the Event's message. */
  record Free(FreeReason reason, String why) implements FreeDecision {
    public Free {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(why, "why");
    }
  }

  /** The holder asked for the allocation to be freed. */
  static Free released() {
    return new Free(FreeReason.Released, "released by its holder");
  }

  /**
   * What the sweeper does about {@code allocation} at {@code now}: free it when it has expired,
   * when its endpoint is not among its upstream's candidates, or when its upstream is gone or
   * cannot be allocated from — the last only once {@code candidates} is {@linkplain
   * CandidateSource#ready() ready}, so a source still warming up frees nothing. An allocation
   * without an endpoint holds nothing and is kept; an unreadable {@code expiresAt} never expires.
   */
  static FreeDecision sweep(Allocation allocation, Instant now, CandidateSource candidates) {
    AllocationSpec spec = allocation.getSpec();
    if (spec == null || spec.endpoint() == null) {
      return new Keep("holds no endpoint");
    }
    if (expired(spec, now)) {
      return new Free(FreeReason.Expired, "expired at " + spec.expiresAt());
    }
    AllocationEndpoint endpoint = spec.endpoint();
    String namespace = allocation.getMetadata().getNamespace();
    Optional<List<Candidate>> known = candidates.candidates(namespace, spec.upstream());
    if (known.isPresent()) {
      boolean present =
          known.get().stream()
              .anyMatch(
                  c ->
                      c.address().equals(endpoint.address())
                          && Integer.valueOf(c.port()).equals(endpoint.port()));
      return present
          ? new Keep("endpoint is a candidate")
          : new Free(
              FreeReason.EndpointGone,
              "endpoint "
                  + endpoint.address()
                  + ":"
                  + endpoint.port()
                  + " is no longer a ready endpoint of upstream "
                  + spec.upstream());
    }
    if (!candidates.ready()) {
      return new Keep("the candidate source is not ready");
    }
    return new Free(
        FreeReason.EndpointGone,
        "upstream "
            + spec.upstream()
            + " "
            + candidates
                .unavailable(namespace, spec.upstream())
                .map(problem -> "cannot be allocated from any more: " + problem)
                .orElse("no longer exists"));
  }

  private static boolean expired(AllocationSpec spec, Instant now) {
    if (spec.expiresAt() == null) {
      return false;
    }
    try {
      return !Instant.parse(spec.expiresAt()).isAfter(now);
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
