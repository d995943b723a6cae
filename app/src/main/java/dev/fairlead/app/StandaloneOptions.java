package dev.fairlead.app;

import dev.fairlead.tls.ServerTransport;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a standalone Fairlead: where the configuration files are, where and how (TLS or plaintext) xDS is
 * served, and the address Envoy listeners bind to.
 */
public record StandaloneOptions(Path configDir, String xdsAddress, int xdsPort, ServerTransport xdsTransport,
    String listenerAddress, Duration debounce, Duration rescanInterval) {

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(5);

  public static StandaloneOptions of(Path configDir, String xdsAddress, int xdsPort, ServerTransport xdsTransport,
      String listenerAddress) {
    return new StandaloneOptions(configDir, xdsAddress, xdsPort, xdsTransport, listenerAddress, DEFAULT_DEBOUNCE,
        DEFAULT_RESCAN);
  }
}
