package dev.fairlead.allocator;

import java.util.Objects;

/**
 * Why an allocation API call did not succeed, in terms both front ends translate: {@link
 * AllocationHttpApi} to an HTTP status and a JSON body, {@link AllocationGrpcService} to a gRPC
 * status.
 */
public final class AllocationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The closed set of failures the API answers. */
  public enum Failure {
    /** The request is malformed; the message names the field. HTTP 400, INVALID_ARGUMENT. */
    INVALID_ARGUMENT,
    /** No such upstream or allocation. HTTP 404, NOT_FOUND. */
    NOT_FOUND,
    /**
     * The upstream exists but cannot be allocated from (not in allocation mode, not accepted). HTTP
     * 400, FAILED_PRECONDITION.
     */
    FAILED_PRECONDITION,
    /** No free endpoint: the configured {@link UnallocatedStatus}. */
    UNALLOCATED,
    /**
     * Free endpoints exist but every attempt lost to a concurrent allocation. HTTP 409, ABORTED.
     */
    ABORTED,
    /** The API server refused or failed for another reason. HTTP 500, INTERNAL. */
    INTERNAL
  }

  private final Failure failure;
  private final String reason;

  /**
   * @param reason a short CamelCase word for machines ({@code UpstreamNotFound}, {@code
   *     InvalidField} …)
   */
  public AllocationException(Failure failure, String reason, String message) {
    this(failure, reason, message, null);
  }

  public AllocationException(Failure failure, String reason, String message, Throwable cause) {
    super(message, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Failure failure() {
    return failure;
  }

  public String reason() {
    return reason;
  }

  static AllocationException invalid(String field, String problem) {
    return new AllocationException(
        Failure.INVALID_ARGUMENT, "InvalidField", field + ": " + problem);
  }
}
