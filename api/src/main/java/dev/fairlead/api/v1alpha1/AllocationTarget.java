package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** What serves behind an allocated endpoint; each field is absent when not known. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AllocationTarget(
    @JsonPropertyDescription("Name of the Pod behind the endpoint.") String pod,
    @JsonPropertyDescription("Node the endpoint runs on.") String node,
    @JsonPropertyDescription("Zone of the endpoint.") String zone) {}
