package dev.fairlead.xds.translate;

import dev.fairlead.api.v1alpha1.AllocationTokens;
import java.util.Objects;

/**
 * How the {@link Translator} shapes what it emits, as opposed to what it translates.
 *
 * @param listenerAddress the address every Envoy listener binds to, e.g. {@code 0.0.0.0} in a pod
 *     or {@code 127.0.0.1} in tests
 * @param unallocatedStatus the HTTP status Envoy answers a request routed by allocation that finds
 *     no endpoint (200–599; the application allows 429 and 5xx, the same setting as the allocation
 *     API's)
 * @param allocationTokens what the gateway checks a request pinned to an allocation against: the
 *     tokens the allocator hands out ({@link AllocationTokens#none()}: no pinned request passes)
 */
public record TranslatorOptions(
    String listenerAddress, int unallocatedStatus, AllocationTokens allocationTokens) {

  /** The allocation API's default unallocated status. */
  public static final int DEFAULT_UNALLOCATED_STATUS = 429;

  /** Listeners bind to every IPv4 address; the default unallocated status. */
  public static final TranslatorOptions DEFAULTS = new TranslatorOptions("0.0.0.0");

  public TranslatorOptions {
    Objects.requireNonNull(listenerAddress, "listenerAddress");
    Objects.requireNonNull(allocationTokens, "allocationTokens");
    if (listenerAddress.isBlank()) {
      throw new IllegalArgumentException("listenerAddress must not be blank");
    }
    if (unallocatedStatus < 200 || unallocatedStatus > 599) {
      throw new IllegalArgumentException(
          "unallocatedStatus must be 200-599, was " + unallocatedStatus);
    }
  }

  /**
   * Options without allocation tokens: no request pinned to an allocation passes (standalone mode
   * has none).
   */
  public TranslatorOptions(String listenerAddress, int unallocatedStatus) {
    this(listenerAddress, unallocatedStatus, AllocationTokens.none());
  }

  /** Options with the default unallocated status and without allocation tokens. */
  public TranslatorOptions(String listenerAddress) {
    this(listenerAddress, DEFAULT_UNALLOCATED_STATUS);
  }

  /** These options, checking pinned requests against {@code tokens}. */
  public TranslatorOptions withAllocationTokens(AllocationTokens tokens) {
    return new TranslatorOptions(listenerAddress, unallocatedStatus, tokens);
  }
}
