package dev.fairlead.xds.translate;

import java.util.Objects;

/**
 * How the {@link Translator} shapes what it emits, as opposed to what it translates.
 *
 * @param listenerAddress   the address every Envoy listener binds to, e.g. {@code 0.0.0.0} in a pod or
 *                          {@code 127.0.0.1} in tests
 * @param unallocatedStatus the HTTP status Envoy answers a request routed by allocation that finds no endpoint
 *                          (200–599; the application allows 429 and 5xx, the same setting as the allocation API's)
 */
public record TranslatorOptions(String listenerAddress, int unallocatedStatus) {

  /** The allocation API's default unallocated status. */
  public static final int DEFAULT_UNALLOCATED_STATUS = 429;

  /** Listeners bind to every IPv4 address; the default unallocated status. */
  public static final TranslatorOptions DEFAULTS = new TranslatorOptions("0.0.0.0");

  public TranslatorOptions {
    Objects.requireNonNull(listenerAddress, "listenerAddress");
    if (listenerAddress.isBlank()) {
      throw new IllegalArgumentException("listenerAddress must not be blank");
    }
    if (unallocatedStatus < 200 || unallocatedStatus > 599) {
      throw new IllegalArgumentException("unallocatedStatus must be 200-599, was " + unallocatedStatus);
    }
  }

  /** Options with the default unallocated status. */
  public TranslatorOptions(String listenerAddress) {
    this(listenerAddress, DEFAULT_UNALLOCATED_STATUS);
  }
}
