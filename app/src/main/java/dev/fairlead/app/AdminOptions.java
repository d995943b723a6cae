package dev.fairlead.app;

import java.util.Objects;

/**
 * Where the admin HTTP server (health, readiness, metrics, debug) listens; port 0 picks a free one.
 */
public record AdminOptions(String address, int port) {

  public static final int DEFAULT_PORT = 18090;

  public AdminOptions {
    Objects.requireNonNull(address, "address");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--admin-port must be 0-65535, was " + port);
    }
  }

  /** On 127.0.0.1, a port chosen by the system: for tests. */
  public static AdminOptions loopback() {
    return new AdminOptions("127.0.0.1", 0);
  }
}
