package dev.fairlead.api.verdict;

import java.util.Objects;

/**
 * One status condition of a {@link Verdict}: true or false, with a machine-readable reason (Gateway
 * API vocabulary where it applies: {@code Accepted}, {@code Invalid}, {@code NoMatchingParent},
 * {@code NotAllowedByListeners}, {@code ResolvedRefs}, {@code BackendNotFound}, {@code
 * InvalidKind}, {@code RefNotPermitted}, {@code UnsupportedValue} …) and a message that names the
 * field and the problem.
 */
public sealed interface Condition {

  String reason();

  String message();

  /** Whether this is {@link True}. */
  default boolean isTrue() {
    return this instanceof True;
  }

  /** The condition holds. */
  record True(String reason, String message) implements Condition {

    public True {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  /** The condition does not hold; the message says what to fix. */
  record False(String reason, String message) implements Condition {

    public False {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }
}
