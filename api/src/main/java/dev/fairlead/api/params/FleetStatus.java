package dev.fairlead.api.params;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the infrastructure of a Gateway's fleet adds to the Gateway's status: the addresses it is
 * reached at, and, when its Envoys cannot be serving it yet, why {@code Programmed} is False.
 *
 * @param addresses for {@code status.addresses}, in order
 * @param notProgrammed the reason and message of {@code Programmed=False}; empty when the
 *     infrastructure is ready
 */
public record FleetStatus(List<Address> addresses, Optional<NotProgrammed> notProgrammed) {

  /** A Gateway API address: type {@code IPAddress} or {@code Hostname}, and its value. */
  public record Address(String type, String value) {
    public Address {
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(value, "value");
    }
  }

  /**
   * Why a fleet's Envoys cannot be serving the Gateway yet, as the reason and message of {@code
   * Programmed}.
   */
  public record NotProgrammed(String reason, String message) {
    public NotProgrammed {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
    }
  }

  public FleetStatus {
    addresses = List.copyOf(addresses);
    Objects.requireNonNull(notProgrammed, "notProgrammed");
  }
}
