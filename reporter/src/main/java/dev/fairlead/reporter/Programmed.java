package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether an object's configuration is programmed into the proxies, as the {@code Programmed}
 * condition says it: not while proxies reject it ({@code Rejected}), not while the object itself is
 * not accepted ({@code Invalid}), otherwise yes. Where the report counts the proxies of every
 * replica ({@link ProxyTally}), the message says how many of them hold the object's current
 * configuration and how many reject it: "1 of 2 proxies hold its current configuration; 1 rejected
 * it: …".
 */
record Programmed(boolean status, String reason, String message) {

  static Programmed of(
      dev.fairlead.api.verdict.Condition accepted,
      Optional<Rejection> rejection,
      Optional<ProxyTally> proxies,
      String kind,
      String whyNotWhenInvalid) {
    if (rejection.isPresent()) {
      String message = rejection.get().message();
      return new Programmed(
          false,
          "Rejected",
          proxies
              .map(tally -> holding(tally) + "; " + tally.rejected() + " rejected it: " + message)
              .orElseGet(
                  () -> {
                    int count = rejection.get().proxies();
                    return count
                        + (count == 1 ? " proxy" : " proxies")
                        + " rejected it: "
                        + message;
                  }));
    }
    if (!accepted.isTrue()) {
      return new Programmed(
          false, "Invalid", "the " + kind + " is not accepted, so " + whyNotWhenInvalid);
    }
    return new Programmed(
        true,
        "Programmed",
        proxies
            .map(
                tally ->
                    tally.connected() == 0
                        ? "in the configuration served to proxies; no proxy it goes to is connected"
                        : holding(tally) + "; none rejected it")
            .orElse("in the configuration served to proxies; none rejected it"));
  }

  /** "N of M proxies hold its current configuration". */
  private static String holding(ProxyTally tally) {
    return tally.holding()
        + " of "
        + tally.connected()
        + (tally.connected() == 1 ? " proxy " : " proxies ")
        + (tally.holding() == 1 ? "holds" : "hold")
        + " its current configuration";
  }

  /**
   * This, or False with the fleet's reason when this is True and the fleet's infrastructure is not
   * ready: proxies' rejections and an object that is not accepted say more, so they come first.
   */
  Programmed unlessNotReady(Optional<FleetStatus> fleet) {
    if (!status || fleet.isEmpty() || fleet.get().notProgrammed().isEmpty()) {
      return this;
    }
    FleetStatus.NotProgrammed notProgrammed = fleet.get().notProgrammed().get();
    return new Programmed(false, notProgrammed.reason(), notProgrammed.message());
  }

  Condition condition(long generation, List<Condition> existing, Instant now) {
    return Conditions.condition(
        Conditions.PROGRAMMED, status, reason, message, generation, existing, now);
  }
}
