package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** One host of a static Upstream. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record StaticHost(
    @Required @Size(min = 1, max = 253) @JsonPropertyDescription("An IP address or a DNS name.")
        String address,
    @Required @Min(1) @Max(65535) @JsonPropertyDescription("Port, 1-65535.") Integer port,
    @Min(1)
        @Max(1000)
        @JsonPropertyDescription("Relative load-balancing weight, 1-1000; default 1.")
        Integer weight) {}
