package dev.fairlead.xds.translate;

import java.util.Objects;

/**
 * How the {@link Translator} shapes what it emits, as opposed to what it translates.
 *
 * @param listenerAddress the address every Envoy listener binds to, e.g. {@code 0.0.0.0} in a pod or
 *                        {@code 127.0.0.1} in tests
 */
public record TranslatorOptions(String listenerAddress) {

  /** Listeners bind to every IPv4 address. */
  public static final TranslatorOptions DEFAULTS = new TranslatorOptions("0.0.0.0");

  public TranslatorOptions {
    Objects.requireNonNull(listenerAddress, "listenerAddress");
    if (listenerAddress.isBlank()) {
      throw new IllegalArgumentException("listenerAddress must not be blank");
    }
  }
}
