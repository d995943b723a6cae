package dev.fairlead.provisioner;

import java.util.Objects;
import java.util.Optional;

/**
 * What every managed fleet shares.
 *
 * @param defaultImage the Envoy image of fleets whose parameters name none ({@code --proxy-image})
 * @param xdsHost the host name or address proxies open their ADS stream to, e.g. the Fairlead
 *     Service's DNS name ({@code --proxy-xds-service})
 * @param xdsPort the port of that stream
 * @param ca Fairlead's xDS CA ({@code --xds-ca-secret}): when present, each fleet gets a client
 *     certificate of it carrying its Gateway's identity, and its Envoys reach xDS over mutual TLS,
 *     checking that the server's certificate names {@code xdsHost}; when empty, they reach it in
 *     plaintext
 */
public record ProvisionerOptions(
    String defaultImage, String xdsHost, int xdsPort, Optional<ProxyCertificateAuthority> ca) {

  /**
   * Envoy's official distroless image, whose user is non-root (65532), of the version Fairlead is
   * tested with.
   */
  public static final String DEFAULT_IMAGE = "docker.io/envoyproxy/envoy:distroless-v1.40.0";

  /** Fleets that reach xDS in plaintext. */
  public ProvisionerOptions(String defaultImage, String xdsHost, int xdsPort) {
    this(defaultImage, xdsHost, xdsPort, Optional.empty());
  }

  public ProvisionerOptions {
    Objects.requireNonNull(ca, "ca");
    Objects.requireNonNull(defaultImage, "defaultImage");
    Objects.requireNonNull(xdsHost, "xdsHost");
    if (defaultImage.isBlank()) {
      throw new IllegalArgumentException("the proxy image must not be blank");
    }
    if (xdsHost.isBlank()) {
      throw new IllegalArgumentException("the xDS host proxies bootstrap to must not be blank");
    }
    if (xdsPort < 1 || xdsPort > 65535) {
      throw new IllegalArgumentException(
          "the xDS port proxies bootstrap to must be 1-65535, was " + xdsPort);
    }
  }

  /** These options, with fleets reaching xDS over mutual TLS with certificates of {@code ca}. */
  public ProvisionerOptions withCa(ProxyCertificateAuthority ca) {
    return new ProvisionerOptions(defaultImage, xdsHost, xdsPort, Optional.of(ca));
  }
}
