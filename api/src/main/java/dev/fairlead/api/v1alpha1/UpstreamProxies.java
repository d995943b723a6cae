package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * How the proxies of every Fairlead replica hold an Upstream's configuration: how many proxies its
 * configuration goes to (those connected in the fleets whose routes use it), how many hold its
 * current configuration, and how many reject it.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamProxies(
    @JsonPropertyDescription(
            "Proxies connected to any Fairlead replica that are sent this Upstream's configuration.")
        int connected,
    @JsonPropertyDescription("Of those, the proxies that hold its current configuration.")
        int holding,
    @JsonPropertyDescription("Of those, the proxies that reject its configuration.")
        int rejected) {}
