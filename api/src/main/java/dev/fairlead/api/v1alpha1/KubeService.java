package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A port of a Kubernetes Service. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record KubeService(
    @Required @Size(min = 1, max = 63) @JsonPropertyDescription("Name of the Service.")
        String serviceName,
    @Size(min = 1, max = 63)
        @JsonPropertyDescription("Namespace of the Service; defaults to the Upstream's namespace.")
        String namespace,
    @Required
        @Min(1)
        @Max(65535)
        @JsonPropertyDescription("The Service port (spec.ports[].port), 1-65535.")
        Integer port) {}
