package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Map;

/**
 * Which endpoints an allocation may take: those in a zone and/or whose target carries these labels.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record AllocationSelector(
    @JsonPropertyDescription("Only endpoints in this zone.") String zone,
    @JsonPropertyDescription("Only endpoints whose target carries all of these labels.")
        Map<String, String> labels) {

  public AllocationSelector {
    labels = labels == null ? null : Map.copyOf(labels);
  }
}
