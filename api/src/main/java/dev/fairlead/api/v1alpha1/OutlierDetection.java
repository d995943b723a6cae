package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Passive health checking: endpoints that keep failing are ejected for a while. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record OutlierDetection(
    @Min(1)
        @Max(1000)
        @JsonPropertyDescription(
            "Consecutive 5xx answers (or connection failures) that eject an endpoint; default 5.")
        Integer consecutive5xx,
    @Pattern(Durations.PATTERN)
        @Size(max = Durations.MAX_LENGTH)
        @JsonPropertyDescription("How often ejections are evaluated; default 10s.")
        String interval,
    @Pattern(Durations.PATTERN)
        @Size(max = Durations.MAX_LENGTH)
        @JsonPropertyDescription("Base time an endpoint stays ejected; default 30s.")
        String baseEjectionTime,
    @Min(0)
        @Max(100)
        @JsonPropertyDescription(
            "Most endpoints that may be ejected at once, in percent; default 10.")
        Integer maxEjectionPercent) {

  // The CEL rules sit on the accessors, not the components: there they would reach the fields as
  // well, and the
  // CRD generator, which reads both, would list each twice.

  @ValidationRule(
      value = Durations.POSITIVE_AT_MOST_HOUR,
      message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
  @Override
  public String interval() {
    return interval;
  }

  @ValidationRule(
      value = Durations.POSITIVE_AT_MOST_HOUR,
      message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
  @Override
  public String baseEjectionTime() {
    return baseEjectionTime;
  }
}
