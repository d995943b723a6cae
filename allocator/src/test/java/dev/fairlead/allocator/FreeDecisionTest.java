package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationEndpoint;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FreeDecisionTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final CandidateSource HOLDS_IT =
      (namespace, upstream) ->
          Optional.of(List.of(Candidate.of("10.0.0.1", 8080), Candidate.of("10.0.0.2", 8080)));

  @Test
  void aHolderReleasing() {
    assertThat(FreeDecision.released())
        .isEqualTo(new FreeDecision.Free(FreeReason.Released, "released by its holder"));
  }

  @Test
  void anAllocationWhoseEndpointIsStillACandidateStays() {
    assertThat(
            FreeDecision.sweep(allocation("10.0.0.1", 8080, "2026-01-02T03:04:06Z"), NOW, HOLDS_IT))
        .isInstanceOf(FreeDecision.Keep.class);
  }

  @Test
  void anAllocationExpiresAtItsExpiryInstant() {
    assertThat(
            FreeDecision.sweep(allocation("10.0.0.1", 8080, "2026-01-02T03:04:05Z"), NOW, HOLDS_IT))
        .isEqualTo(new FreeDecision.Free(FreeReason.Expired, "expired at 2026-01-02T03:04:05Z"));
  }

  @Test
  void expiryComesBeforeAGoneEndpoint() {
    assertThat(
            FreeDecision.sweep(allocation("10.9.9.9", 8080, "2026-01-01T00:00:00Z"), NOW, HOLDS_IT))
        .isEqualTo(new FreeDecision.Free(FreeReason.Expired, "expired at 2026-01-01T00:00:00Z"));
  }

  @Test
  void anUnreadableOrMissingExpiryNeverExpires() {
    assertThat(FreeDecision.sweep(allocation("10.0.0.1", 8080, "tomorrow"), NOW, HOLDS_IT))
        .isInstanceOf(FreeDecision.Keep.class);
    assertThat(FreeDecision.sweep(allocation("10.0.0.1", 8080, null), NOW, HOLDS_IT))
        .isInstanceOf(FreeDecision.Keep.class);
  }

  @Test
  void anEndpointNoLongerAmongTheCandidatesIsGone() {
    assertThat(FreeDecision.sweep(allocation("10.0.0.1", 9090, null), NOW, HOLDS_IT))
        .isEqualTo(
            new FreeDecision.Free(
                FreeReason.EndpointGone,
                "endpoint 10.0.0.1:9090 is no longer a ready endpoint of upstream web"));
  }

  @Test
  void anUpstreamThatNoLongerExistsFreesItsAllocationsOnceTheSourceIsReady() {
    assertThat(
            FreeDecision.sweep(
                allocation("10.0.0.1", 8080, null), NOW, source(true, Optional.empty())))
        .isEqualTo(new FreeDecision.Free(FreeReason.EndpointGone, "upstream web no longer exists"));
  }

  @Test
  void anUpstreamOutOfAllocationModeSaysWhy() {
    assertThat(
            FreeDecision.sweep(
                allocation("10.0.0.1", 8080, null),
                NOW,
                source(true, Optional.of("it is not in allocation mode"))))
        .isEqualTo(
            new FreeDecision.Free(
                FreeReason.EndpointGone,
                "upstream web cannot be allocated from any more: it is not in allocation mode"));
  }

  @Test
  void aSourceStillWarmingUpFreesNothing() {
    assertThat(
            FreeDecision.sweep(
                allocation("10.0.0.1", 8080, null), NOW, source(false, Optional.empty())))
        .isInstanceOf(FreeDecision.Keep.class);
  }

  @Test
  void anAllocationWithoutEndpointHoldsNothingAndStays() {
    Allocation empty = allocation("10.0.0.1", 8080, "2020-01-01T00:00:00Z");
    empty.setSpec(new AllocationSpec("web", null, null, null, "2020-01-01T00:00:00Z"));
    assertThat(FreeDecision.sweep(empty, NOW, HOLDS_IT)).isInstanceOf(FreeDecision.Keep.class);
    empty.setSpec(null);
    assertThat(FreeDecision.sweep(empty, NOW, HOLDS_IT)).isInstanceOf(FreeDecision.Keep.class);
  }

  private static CandidateSource source(boolean ready, Optional<String> unavailable) {
    return new CandidateSource() {
      @Override
      public Optional<List<Candidate>> candidates(String namespace, String upstream) {
        return Optional.empty();
      }

      @Override
      public boolean ready() {
        return ready;
      }

      @Override
      public Optional<String> unavailable(String namespace, String upstream) {
        return unavailable;
      }
    };
  }

  private static Allocation allocation(String address, int port, String expiresAt) {
    Allocation allocation = new Allocation();
    allocation.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("web-a").build());
    allocation.setSpec(
        new AllocationSpec("web", new AllocationEndpoint(address, port), null, null, expiresAt));
    return allocation;
  }
}
