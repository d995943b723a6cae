package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * Allocation mode: the Upstream's endpoints are handed out one holder at a time through the
 * allocation API, and the gateway routes by allocation. A request carrying {@code
 * x-fairlead-allocation: <allocation name>} reaches that allocation's endpoint and no other; a
 * request without it reaches only endpoints nobody holds. When the allocation's endpoint is gone or
 * unhealthy (or every endpoint is held), the gateway answers with the configured unallocated status
 * code.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamAllocation(
    @JsonPropertyDescription(
            "Hand out endpoints through the allocation API and route by allocation. Default false.")
        Boolean enabled) {}
