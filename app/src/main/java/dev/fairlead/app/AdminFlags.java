package dev.fairlead.app;

import picocli.CommandLine.Option;

/**
 * The flags of the admin HTTP server, as {@link AdminOptions}: a picocli mixin of {@code fairlead
 * run}.
 */
final class AdminFlags {

  @Option(
      names = "--admin-address",
      defaultValue = "${env:FAIRLEAD_ADMIN_ADDRESS:-127.0.0.1}",
      description =
          "Address of the admin HTTP server (/healthz, /readyz, /metrics, /debug/...). "
              + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_ADMIN_ADDRESS.")
  String adminAddress;

  @Option(
      names = "--admin-port",
      defaultValue = "${env:FAIRLEAD_ADMIN_PORT:-18090}",
      description =
          "Port of the admin HTTP server; 0 picks a free one. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_ADMIN_PORT.")
  int adminPort;

  /**
   * @throws IllegalArgumentException naming the flag whose value is out of range
   */
  AdminOptions options() {
    return new AdminOptions(adminAddress, adminPort);
  }
}
