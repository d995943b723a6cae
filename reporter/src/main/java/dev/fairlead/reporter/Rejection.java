package dev.fairlead.reporter;

import java.util.Objects;

/**
 * Proxies (Envoys) refused configuration an object produced: they NACKed it. The object's {@code
 * Programmed} condition turns false with this message until the rejection is withdrawn from the
 * {@link StatusReport}.
 *
 * @param message what the proxy said, verbatim (the reporter shortens it to what a condition can
 *     hold)
 * @param proxies how many proxies rejected it; at least 1
 */
public record Rejection(String message, int proxies) {

  public Rejection {
    Objects.requireNonNull(message, "message");
    if (proxies < 1) {
      throw new IllegalArgumentException("proxies must be at least 1, was " + proxies);
    }
  }
}
