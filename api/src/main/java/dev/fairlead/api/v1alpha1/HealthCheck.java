package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * An active HTTP health check. Its timeout is never longer than its interval, counting the default
 * of whichever is absent: a check that outlives the next one is never what anyone meant.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "!"
            + HealthCheck.TIMEOUT_OR_DEFAULT
            + ".matches(r'"
            + Durations.PATTERN
            + "')"
            + " || !"
            + HealthCheck.INTERVAL_OR_DEFAULT
            + ".matches(r'"
            + Durations.PATTERN
            + "')"
            + " || duration("
            + HealthCheck.TIMEOUT_OR_DEFAULT
            + ") <= duration("
            + HealthCheck.INTERVAL_OR_DEFAULT
            + ")",
    fieldPath = ".timeout",
    messageExpression =
        "'timeout ' + "
            + HealthCheck.TIMEOUT_OR_DEFAULT
            + " + ' is longer than interval ' + "
            + HealthCheck.INTERVAL_OR_DEFAULT
            + " + ' ("
            + HealthCheck.DEFAULTS
            + ")'",
    message = "must not be longer than interval (" + HealthCheck.DEFAULTS + ")")
@JsonIgnoreProperties(ignoreUnknown = true)
public record HealthCheck(
    @Required @Pattern("^/.*$") @JsonPropertyDescription("HTTP path to GET, starting with /.")
        String path,
    @Pattern(Durations.PATTERN)
        @Size(max = Durations.MAX_LENGTH)
        @JsonPropertyDescription(
            "Time between checks; default " + HealthCheck.DEFAULT_INTERVAL + ".")
        String interval,
    @Pattern(Durations.PATTERN)
        @Size(max = Durations.MAX_LENGTH)
        @JsonPropertyDescription(
            "Time to wait for an answer, at most the interval; default "
                + HealthCheck.DEFAULT_TIMEOUT
                + ".")
        String timeout,
    @Min(1)
        @Max(100)
        @JsonPropertyDescription("Successes before an endpoint counts as healthy; default 1.")
        Integer healthyThreshold,
    @Min(1)
        @Max(100)
        @JsonPropertyDescription("Failures before an endpoint counts as unhealthy; default 3.")
        Integer unhealthyThreshold) {

  /** The interval an absent {@code interval} means. */
  public static final String DEFAULT_INTERVAL = "5s";

  /** The timeout an absent {@code timeout} means. */
  public static final String DEFAULT_TIMEOUT = "1s";

  static final String TIMEOUT_OR_DEFAULT =
      "(has(self.timeout) ? self.timeout : '" + DEFAULT_TIMEOUT + "')";
  static final String INTERVAL_OR_DEFAULT =
      "(has(self.interval) ? self.interval : '" + DEFAULT_INTERVAL + "')";
  static final String DEFAULTS =
      "an absent interval is " + DEFAULT_INTERVAL + ", an absent timeout " + DEFAULT_TIMEOUT;

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
  public String timeout() {
    return timeout;
  }
}
