package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** An address and port of an Upstream's endpoint. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AllocationEndpoint(
    @JsonPropertyDescription("IP address (or host name) of the endpoint.")
        @Required
        @Size(min = 1, max = 253)
        String address,
    @JsonPropertyDescription("Port of the endpoint.") @Required @Min(1) @Max(65535) Integer port) {}
