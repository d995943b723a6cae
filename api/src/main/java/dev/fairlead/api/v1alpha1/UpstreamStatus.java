package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/** What Fairlead observed of an Upstream: its conditions, for which generation, and its ready endpoints. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record UpstreamStatus(
    @JsonPropertyDescription("Accepted, ResolvedRefs and Programmed.")
    List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation this status describes.")
    Long observedGeneration,
    @JsonPropertyDescription("Endpoints currently ready to receive traffic.")
    Integer readyEndpoints) {

  public UpstreamStatus {
    conditions = conditions == null ? null : List.copyOf(conditions);
  }
}
