package dev.fairlead.app;

import dev.fairlead.provisioner.ProvisionerOptions;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The flags of the managed data plane (Kubernetes mode): whether Fairlead runs the Envoys of its
 * Gateways, with which image, and where those Envoys find the xDS server. A picocli mixin of {@code
 * fairlead run}.
 */
final class ProvisionerFlags {

  @Option(
      names = "--provisioner",
      defaultValue = "${env:FAIRLEAD_PROVISIONER:-false}",
      arity = "1",
      description =
          "Kubernetes mode: run an Envoy Deployment, Service, bootstrap ConfigMap and ServiceAccount for "
              + "each Gateway of Fairlead's classes in mode Managed (the leader applies them). Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_PROVISIONER.")
  boolean provisioner;

  @Option(
      names = "--proxy-image",
      defaultValue = "${env:FAIRLEAD_PROXY_IMAGE:-" + ProvisionerOptions.DEFAULT_IMAGE + "}",
      description =
          "Envoy image of managed fleets whose GatewayParameters name none. Default: ${DEFAULT-VALUE}. "
              + "Env: FAIRLEAD_PROXY_IMAGE.")
  String proxyImage;

  @Option(
      names = "--proxy-xds-service",
      defaultValue = "${env:FAIRLEAD_PROXY_XDS_SERVICE:-}",
      description =
          "host[:port] managed Envoys open their ADS stream to, e.g. the DNS name of Fairlead's xDS "
              + "Service; the port defaults to --xds-port. Required with --provisioner. Env: FAIRLEAD_PROXY_XDS_SERVICE.")
  String proxyXdsService;

  /**
   * The host of {@code --proxy-xds-service}, whether or not the provisioner runs; empty when it is
   * not given.
   */
  Optional<String> xdsHost() {
    String service = service();
    int colon = service.lastIndexOf(':');
    String host = colon < 0 ? service : service.substring(0, colon);
    return host.isEmpty() ? Optional.empty() : Optional.of(host);
  }

  private String service() {
    return proxyXdsService == null ? "" : proxyXdsService.strip();
  }

  /**
   * The provisioner's options, empty when it is off.
   *
   * @param xdsPort the port of {@code --proxy-xds-service} when it names none
   * @throws IllegalArgumentException naming the flag when the provisioner is on and the xDS service
   *     is missing or not host[:port]
   */
  Optional<ProvisionerOptions> options(int xdsPort) {
    if (!provisioner) {
      return Optional.empty();
    }
    String service = service();
    if (service.isEmpty()) {
      throw new IllegalArgumentException(
          "--provisioner needs --proxy-xds-service: the host[:port] managed Envoys "
              + "reach the xDS server at");
    }
    int colon = service.lastIndexOf(':');
    String host = colon < 0 ? service : service.substring(0, colon);
    int port = xdsPort;
    if (colon >= 0) {
      try {
        port = Integer.parseInt(service.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--proxy-xds-service: '" + service + "' is not host[:port]");
      }
    }
    try {
      return Optional.of(
          new ProvisionerOptions(proxyImage == null ? "" : proxyImage.strip(), host, port));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--proxy-image/--proxy-xds-service: " + e.getMessage());
    }
  }
}
