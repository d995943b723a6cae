package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

/** An active HTTP health check. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.timeout) || !has(self.interval) || duration(self.timeout) <= duration(self.interval)",
    message = "timeout must not be longer than interval")
public record HealthCheck(
    @Required
    @Pattern("^/.*$")
    @JsonPropertyDescription("HTTP path to GET, starting with /.")
    String path,
    @Pattern(Durations.PATTERN)
    @ValidationRule(value = Durations.POSITIVE_AT_MOST_HOUR, message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
    @JsonPropertyDescription("Time between checks; default 5s.")
    String interval,
    @Pattern(Durations.PATTERN)
    @ValidationRule(value = Durations.POSITIVE_AT_MOST_HOUR, message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
    @JsonPropertyDescription("Time to wait for an answer; default 1s.")
    String timeout,
    @Min(1) @Max(100)
    @JsonPropertyDescription("Successes before an endpoint counts as healthy; default 1.")
    Integer healthyThreshold,
    @Min(1) @Max(100)
    @JsonPropertyDescription("Failures before an endpoint counts as unhealthy; default 3.")
    Integer unhealthyThreshold) {
}
