package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;

/**
 * What Fairlead observed of an Upstream: its conditions, for which generation, its ready endpoints,
 * and how the proxies of every replica hold its configuration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamStatus(
    @JsonPropertyDescription("Accepted, ResolvedRefs and Programmed.") List<Condition> conditions,
    @JsonPropertyDescription("The metadata.generation this status describes.")
        Long observedGeneration,
    @JsonPropertyDescription("Endpoints currently ready to receive traffic.")
        Integer readyEndpoints,
    @JsonPropertyDescription(
            "How many proxies, across every Fairlead replica, are sent this Upstream's "
                + "configuration, hold its current configuration and reject it.")
        UpstreamProxies proxies) {

  @JsonCreator
  public UpstreamStatus {
    conditions = conditions == null ? null : List.copyOf(conditions);
  }

  /** A status that says nothing about proxies. */
  public UpstreamStatus(
      List<Condition> conditions, Long observedGeneration, Integer readyEndpoints) {
    this(conditions, observedGeneration, readyEndpoints, null);
  }
}
