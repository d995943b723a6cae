package dev.fairlead.reporter;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

/**
 * The Kubernetes conditions the reporter writes, built the way {@code metav1.Condition} wants them:
 * a condition keeps its {@code lastTransitionTime} while its status stays the same, and gets the
 * current time (whole seconds, as the API server stores it) when the status flips or the condition
 * is new. So a status whose conditions did not flip computes equal to what the object already
 * carries, and is not rewritten.
 *
 * <p>Stateless; the functions are pure given {@code now}.
 */
final class Conditions {

  static final String ACCEPTED = "Accepted";
  static final String RESOLVED_REFS = "ResolvedRefs";
  static final String PROGRAMMED = "Programmed";
  static final String PARTIALLY_INVALID = "PartiallyInvalid";

  /** What {@code metav1.Condition.message} (and the Gateway API CRDs) accept, in characters. */
  static final int MAX_MESSAGE = 32_768;

  private static final String TRUNCATED = " … (truncated)";

  private Conditions() {}

  /** A condition of {@code type} carrying a verdict's condition, for {@code generation}. */
  static Condition fromVerdict(
      String type,
      dev.fairlead.api.verdict.Condition verdict,
      long generation,
      List<Condition> existing,
      Instant now) {
    return condition(
        type, verdict.isTrue(), verdict.reason(), verdict.message(), generation, existing, now);
  }

  /**
   * A condition of {@code type}; its {@code lastTransitionTime} is that of the condition of the
   * same type in {@code existing} if that one has the same status, {@code now} otherwise.
   */
  static Condition condition(
      String type,
      boolean status,
      String reason,
      String message,
      long generation,
      List<Condition> existing,
      Instant now) {
    String statusValue = status ? "True" : "False";
    String since =
        existing.stream()
            .filter(
                c ->
                    type.equals(c.getType())
                        && statusValue.equals(c.getStatus())
                        && c.getLastTransitionTime() != null)
            .map(Condition::getLastTransitionTime)
            .findFirst()
            .orElseGet(
                () -> DateTimeFormatter.ISO_INSTANT.format(now.truncatedTo(ChronoUnit.SECONDS)));
    return new ConditionBuilder()
        .withType(type)
        .withStatus(statusValue)
        .withReason(reason)
        .withMessage(shortened(message))
        .withObservedGeneration(generation)
        .withLastTransitionTime(since)
        .build();
  }

  /**
   * The same conditions without their {@code lastTransitionTime}: the form statuses are compared
   * in. A time differs only where the status it dates differs too (see the class comment), so
   * comparing without times loses nothing, and keeps a status computed against a stale copy of an
   * object comparable with one computed against the fresh one.
   */
  static List<Condition> withoutTransitionTimes(List<Condition> conditions) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream()
        .map(
            c ->
                new Condition(
                    null,
                    c.getMessage(),
                    c.getObservedGeneration(),
                    c.getReason(),
                    c.getStatus(),
                    c.getType()))
        .toList();
  }

  /** The conditions of {@code conditions}, or an empty list for none. */
  static List<Condition> orEmpty(List<Condition> conditions) {
    return Objects.requireNonNullElse(conditions, List.of());
  }

  private static String shortened(String message) {
    return message.length() <= MAX_MESSAGE
        ? message
        : message.substring(0, MAX_MESSAGE - TRUNCATED.length()) + TRUNCATED;
  }
}
