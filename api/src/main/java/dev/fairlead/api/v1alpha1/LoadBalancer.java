package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Load balancing over an Upstream's endpoints. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record LoadBalancer(
    @JsonPropertyDescription("ROUND_ROBIN (default), LEAST_REQUEST, RANDOM, RING_HASH or MAGLEV.")
        LoadBalancerPolicy policy) {}
