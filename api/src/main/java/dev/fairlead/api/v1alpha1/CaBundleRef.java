package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A PEM CA bundle held in a key of a ConfigMap in the Upstream's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CaBundleRef(
    @Required @Size(min = 1, max = 253) @JsonPropertyDescription("Name of the ConfigMap.")
        String configMapName,
    @Size(min = 1, max = 253)
        @JsonPropertyDescription("Key holding the PEM bundle; default ca.crt.")
        String key) {}
