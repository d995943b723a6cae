package dev.fairlead.allocator;

import io.grpc.Status;

/**
 * The status the allocation API answers when an upstream has no free endpoint: HTTP 429 by default
 * (as Agones' allocator), or any 5xx for meshes that circuit-break only on server errors. The gRPC
 * code follows the HTTP one:
 *
 * <ul>
 *   <li>429 → {@code RESOURCE_EXHAUSTED}; 500 → {@code INTERNAL}; 501 → {@code UNIMPLEMENTED}; 503
 *       → {@code UNAVAILABLE}; 504 → {@code DEADLINE_EXCEEDED} (as the issue asks);
 *   <li>502 → {@code UNAVAILABLE} (gRPC's own HTTP-to-gRPC mapping: a bad gateway is a transient
 *       condition);
 *   <li>every other 5xx → {@code INTERNAL}, the generic server-side failure.
 * </ul>
 *
 * Any other value is refused when the setting is read, so a typo stops start-up instead of
 * surfacing at the first exhausted upstream.
 */
public record UnallocatedStatus(int httpCode) {

  /** The default: 429 Too Many Requests / RESOURCE_EXHAUSTED. */
  public static final UnallocatedStatus DEFAULT = new UnallocatedStatus(429);

  static final String ALLOWED = "429 or 500-599";

  public UnallocatedStatus {
    if (httpCode != 429 && (httpCode < 500 || httpCode > 599)) {
      throw new IllegalArgumentException(
          "unallocated status code must be "
              + ALLOWED
              + " (an HTTP status a client or mesh can treat as "
              + "\"nothing to allocate\"), was "
              + httpCode);
    }
  }

  /**
   * Reads the setting as given on the command line or in the environment.
   *
   * @throws IllegalArgumentException naming the value and what is allowed, if it is not 429 or
   *     500–599
   */
  public static UnallocatedStatus parse(String value) {
    if (value == null || !value.trim().matches("[0-9]{1,4}")) {
      throw new IllegalArgumentException(
          "unallocated status code must be " + ALLOWED + ", was \"" + value + "\"");
    }
    return new UnallocatedStatus(Integer.parseInt(value.trim()));
  }

  /** The gRPC code answered with this HTTP status; see the class documentation for the mapping. */
  public Status.Code grpcCode() {
    return switch (httpCode) {
      case 429 -> Status.Code.RESOURCE_EXHAUSTED;
      case 501 -> Status.Code.UNIMPLEMENTED;
      case 502, 503 -> Status.Code.UNAVAILABLE;
      case 504 -> Status.Code.DEADLINE_EXCEEDED;
      default -> Status.Code.INTERNAL;
    };
  }
}
