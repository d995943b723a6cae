package dev.fairlead.api.v1alpha1;

/** Validation shared by every duration field: Go duration syntax, checked by the schema and by CEL. */
final class Durations {

  /** One or more number+unit pairs: {@code 250ms}, {@code 5s}, {@code 1m30s}. */
  static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
  static final String POSITIVE_AT_MOST_HOUR = "duration(self) > duration('0s') && duration(self) <= duration('1h')";
  static final String POSITIVE_AT_MOST_HOUR_MESSAGE = "must be a duration greater than 0s and at most 1h";

  private Durations() {
  }
}
