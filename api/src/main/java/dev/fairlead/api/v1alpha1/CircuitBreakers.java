package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * Envoy's circuit-breaker thresholds for the default priority; an absent field keeps Envoy's
 * default (1024, 3 retries).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CircuitBreakers(
    @Min(1)
        @Max(1_000_000)
        @JsonPropertyDescription("Most connections open to all endpoints together.")
        Integer maxConnections,
    @Min(1) @Max(1_000_000) @JsonPropertyDescription("Most requests waiting for a connection.")
        Integer maxPendingRequests,
    @Min(1) @Max(1_000_000) @JsonPropertyDescription("Most requests in flight.")
        Integer maxRequests,
    @Min(0) @Max(1_000_000) @JsonPropertyDescription("Most retries in flight.")
        Integer maxRetries) {}
