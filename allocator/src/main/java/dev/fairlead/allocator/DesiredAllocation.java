package dev.fairlead.allocator;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationEndpoint;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSelector;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import dev.fairlead.api.v1alpha1.AllocationTarget;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Duration;
import java.time.Instant;

/**
 * The Allocation object that records a request holding a candidate, as a value: named for the
 * endpoint ({@link AllocationNames#forEndpoint}), so that the API server refuses a second holder,
 * and expiring {@code ttl} after {@code now} (the request's, or the longest allowed).
 */
final class DesiredAllocation {

  private DesiredAllocation() {}

  /** The Allocation for {@code request} holding {@code candidate}, created at {@code now}. */
  static Allocation of(AllocateRequest request, Candidate candidate, Instant now, Duration maxTtl) {
    String name =
        AllocationNames.forEndpoint(request.getUpstream(), candidate.address(), candidate.port());
    AllocationTarget target =
        candidate.pod().isEmpty() && candidate.node().isEmpty() && candidate.zone().isEmpty()
            ? null
            : new AllocationTarget(
                candidate.pod().orElse(null),
                candidate.node().orElse(null),
                candidate.zone().orElse(null));
    AllocationSelector selector =
        request.hasSelector()
            ? new AllocationSelector(
                request.getSelector().getZone().isEmpty() ? null : request.getSelector().getZone(),
                request.getSelector().getLabelsMap().isEmpty()
                    ? null
                    : request.getSelector().getLabelsMap())
            : null;
    com.google.protobuf.Duration asked = request.getTtl();
    Duration ttl =
        request.hasTtl() ? Duration.ofSeconds(asked.getSeconds(), asked.getNanos()) : maxTtl;
    Allocation allocation = new Allocation();
    allocation.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(request.getNamespace())
            .withLabels(request.getLabelsMap().isEmpty() ? null : request.getLabelsMap())
            .withAnnotations(
                request.getAnnotationsMap().isEmpty() ? null : request.getAnnotationsMap())
            .build());
    allocation.setSpec(
        new AllocationSpec(
            request.getUpstream(),
            new AllocationEndpoint(candidate.address(), candidate.port()),
            target,
            selector,
            now.plus(ttl).toString()));
    return allocation;
  }
}
