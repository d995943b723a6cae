package dev.fairlead.e2e;

import java.time.Duration;
import java.util.Objects;

/**
 * How long the soak runs and how often the wanderer changes something. Two modes:
 *
 * <ul>
 *   <li>{@code fast} (the default, in CI): 4 minutes, a change every 10 s — enough for every kind
 *       of change once;
 *   <li>{@code soak}: {@code -Dfairlead.soak.mode=soak}, 1 hour unless {@code
 *       -Dfairlead.soak.duration} (ISO-8601, e.g. {@code PT3H}) says otherwise, a change every 90 s
 *       unless {@code -Dfairlead.soak.period} does — with the time changes take, about 30 changes
 *       an hour, every kind several times.
 * </ul>
 *
 * {@code -Dfairlead.soak.seed} replays a run's sequence of changes; every run prints its seed.
 *
 * @param bound how long the monitor lets the system take to reflect a change before it counts a
 *     violation
 */
record SoakSettings(String mode, Duration duration, Duration period, Duration bound, long seed) {

  SoakSettings {
    Objects.requireNonNull(mode, "mode");
    if (duration.isNegative() || duration.isZero() || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("duration and period must be positive");
    }
  }

  /**
   * How often each replica's heap is sampled after a full GC: twice a period, at most every 30 s,
   * so that a replica lives through several windows between the wanderer's restarts.
   */
  Duration heapWindow() {
    Duration half = period.dividedBy(2);
    return half.compareTo(Duration.ofSeconds(30)) < 0 ? half : Duration.ofSeconds(30);
  }

  static SoakSettings fromSystemProperties() {
    String mode = System.getProperty("fairlead.soak.mode", "fast");
    boolean soak = mode.equals("soak");
    if (!soak && !mode.equals("fast")) {
      throw new IllegalArgumentException("fairlead.soak.mode: fast or soak, was " + mode);
    }
    Duration duration =
        Duration.parse(System.getProperty("fairlead.soak.duration", soak ? "PT1H" : "PT4M"));
    Duration period =
        Duration.parse(System.getProperty("fairlead.soak.period", soak ? "PT90S" : "PT10S"));
    long seed = Long.getLong("fairlead.soak.seed", System.nanoTime());
    return new SoakSettings(mode, duration, period, Duration.ofSeconds(30), seed);
  }
}
