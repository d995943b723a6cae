package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Which endpoint of which Upstream an {@link Allocation} holds, and until when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AllocationSpec(
    @JsonPropertyDescription("Name of the Upstream (same namespace) the endpoint belongs to.")
        @Required
        @Size(min = 1, max = 253)
        String upstream,
    @JsonPropertyDescription("The endpoint held.") @Required AllocationEndpoint endpoint,
    @JsonPropertyDescription("What serves behind the endpoint, where known.")
        AllocationTarget target,
    @JsonPropertyDescription("The selector the endpoint was chosen with, as asked.")
        AllocationSelector selector,
    @JsonPropertyDescription("When the allocation expires (RFC 3339); absent: held until released.")
        String expiresAt) {}
