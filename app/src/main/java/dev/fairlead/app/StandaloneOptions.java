package dev.fairlead.app;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of a standalone Fairlead: where the configuration files are, where xDS is served, the address
 * Envoy listeners bind to, and where the admin server listens.
 */
public record StandaloneOptions(Path configDir, String xdsAddress, int xdsPort, String listenerAddress,
    Duration debounce, Duration rescanInterval, AdminOptions admin) {

  public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(100);
  public static final Duration DEFAULT_RESCAN = Duration.ofSeconds(5);

  public static StandaloneOptions of(Path configDir, String xdsAddress, int xdsPort, String listenerAddress) {
    return new StandaloneOptions(configDir, xdsAddress, xdsPort, listenerAddress, DEFAULT_DEBOUNCE, DEFAULT_RESCAN,
        AdminOptions.loopback());
  }

  public StandaloneOptions withAdmin(AdminOptions admin) {
    return new StandaloneOptions(configDir, xdsAddress, xdsPort, listenerAddress, debounce, rescanInterval, admin);
  }
}
