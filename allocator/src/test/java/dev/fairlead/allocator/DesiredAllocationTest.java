package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Selector;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationEndpoint;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSelector;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import dev.fairlead.api.v1alpha1.AllocationTarget;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DesiredAllocationTest {

  private static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
  private static final Duration MAX_TTL = Duration.ofHours(1);

  @Test
  void aBareRequestHoldsTheEndpointForTheLongestTtl() {
    AllocateRequest request =
        AllocateRequest.newBuilder().setNamespace("shop").setUpstream("web").build();

    Allocation allocation =
        DesiredAllocation.of(request, Candidate.of("10.0.0.1", 8080), NOW, MAX_TTL);

    assertThat(allocation.getMetadata().getName())
        .isEqualTo(AllocationNames.forEndpoint("web", "10.0.0.1", 8080));
    assertThat(allocation.getMetadata().getNamespace()).isEqualTo("shop");
    assertThat(allocation.getMetadata().getLabels()).isNull();
    assertThat(allocation.getMetadata().getAnnotations()).isNull();
    assertThat(allocation.getSpec())
        .isEqualTo(
            new AllocationSpec(
                "web",
                new AllocationEndpoint("10.0.0.1", 8080),
                null,
                null,
                "2026-01-02T04:04:05Z"));
  }

  @Test
  void theRequestsTtlSelectorLabelsAndTheCandidatesTargetAreRecorded() {
    AllocateRequest request =
        AllocateRequest.newBuilder()
            .setNamespace("shop")
            .setUpstream("web")
            .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(30))
            .setSelector(Selector.newBuilder().setZone("east").putLabels("tier", "gold"))
            .putLabels("owner", "ci")
            .putAnnotations("note", "run 7")
            .build();
    Candidate candidate =
        new Candidate(
            "10.0.0.1",
            8080,
            Optional.of("east"),
            Optional.of("web-0"),
            Optional.empty(),
            Map.of());

    Allocation allocation = DesiredAllocation.of(request, candidate, NOW, MAX_TTL);

    assertThat(allocation.getMetadata().getLabels()).containsExactly(Map.entry("owner", "ci"));
    assertThat(allocation.getMetadata().getAnnotations())
        .containsExactly(Map.entry("note", "run 7"));
    assertThat(allocation.getSpec())
        .isEqualTo(
            new AllocationSpec(
                "web",
                new AllocationEndpoint("10.0.0.1", 8080),
                new AllocationTarget("web-0", null, "east"),
                new AllocationSelector("east", Map.of("tier", "gold")),
                "2026-01-02T03:04:35Z"));
  }
}
