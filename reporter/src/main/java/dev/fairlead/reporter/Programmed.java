package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Whether an object's configuration is programmed into the proxies, as the {@code Programmed} condition says it:
 * not while proxies reject it ({@code Rejected}), not while the object itself is not accepted ({@code Invalid}),
 * otherwise yes.
 */
record Programmed(boolean status, String reason, String message) {

  static Programmed of(dev.fairlead.api.verdict.Condition accepted, Optional<Rejection> rejection, String kind,
      String whyNotWhenInvalid) {
    if (rejection.isPresent()) {
      int proxies = rejection.get().proxies();
      return new Programmed(false, "Rejected", proxies + (proxies == 1 ? " proxy" : " proxies") + " rejected it: "
          + rejection.get().message());
    }
    if (!accepted.isTrue()) {
      return new Programmed(false, "Invalid", "the " + kind + " is not accepted, so " + whyNotWhenInvalid);
    }
    return new Programmed(true, "Programmed", "in the configuration served to proxies; none rejected it");
  }

  /**
   * This, or False with the fleet's reason when this is True and the fleet's infrastructure is not ready: proxies'
   * rejections and an object that is not accepted say more, so they come first.
   */
  Programmed unlessNotReady(Optional<FleetStatus> fleet) {
    if (!status || fleet.isEmpty() || fleet.get().notProgrammed().isEmpty()) {
      return this;
    }
    FleetStatus.NotProgrammed notProgrammed = fleet.get().notProgrammed().get();
    return new Programmed(false, notProgrammed.reason(), notProgrammed.message());
  }

  Condition condition(long generation, List<Condition> existing, Instant now) {
    return Conditions.condition(Conditions.PROGRAMMED, status, reason, message, generation, existing, now);
  }
}
