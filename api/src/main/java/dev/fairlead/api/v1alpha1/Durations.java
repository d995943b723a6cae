package dev.fairlead.api.v1alpha1;

/**
 * Validation shared by every duration field: Go duration syntax, checked by the schema's pattern,
 * and a value greater than 0s and at most 1h, checked by CEL. The CEL rules skip a string the
 * pattern already rejects, so a malformed duration gets one clear error instead of a second one
 * about a failed type conversion.
 */
final class Durations {

  /** One or more number+unit pairs: {@code 250ms}, {@code 5s}, {@code 1m30s}. */
  static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";

  /** Bounds the string so the API server's cost estimate for the CEL rules stays small. */
  static final long MAX_LENGTH = 32;

  /** CEL, for a string {@code self}. */
  static final String POSITIVE_AT_MOST_HOUR =
      "!self.matches(r'"
          + PATTERN
          + "')"
          + " || (duration(self) > duration('0s') && duration(self) <= duration('1h'))";

  static final String POSITIVE_AT_MOST_HOUR_MESSAGE =
      "must be a duration greater than 0s and at most 1h";

  private Durations() {}
}
