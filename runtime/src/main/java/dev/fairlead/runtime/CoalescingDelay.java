package dev.fairlead.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * How long work triggered by a burst of events waits before it runs: until no event has arrived for
 * {@code quiet}, but never longer than {@code max} after the first event of the burst. A steady
 * trickle of events therefore still gets work done at least every {@code max}, while a burst of a
 * thousand changes costs one run, not a thousand.
 *
 * @param quiet how long the events must have stopped; at least zero
 * @param max the longest a burst may postpone its work, counted from its first event; at least
 *     {@code quiet}
 */
public record CoalescingDelay(Duration quiet, Duration max) {

  /** 100 ms of quiet, at most one second. */
  public static final CoalescingDelay DEFAULT =
      new CoalescingDelay(Duration.ofMillis(100), Duration.ofSeconds(1));

  public CoalescingDelay {
    Objects.requireNonNull(quiet, "quiet");
    Objects.requireNonNull(max, "max");
    if (quiet.isNegative()) {
      throw new IllegalArgumentException("quiet must not be negative, was " + quiet);
    }
    if (max.compareTo(quiet) < 0) {
      throw new IllegalArgumentException(
          "max (" + max + ") must be at least quiet (" + quiet + ")");
    }
  }
}
