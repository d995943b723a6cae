package dev.fairlead.testkit;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A dynamic Envoy bootstrap: node identity, and every listener and cluster from one ADS stream to a
 * control plane on {@code 127.0.0.1:xdsPort}. The admin interface listens on an ephemeral loopback
 * port. {@link #toPodYaml} gives the same bootstrap for an Envoy pod, whose control plane is a
 * Service.
 *
 * <p>The initial-fetch timeout of CDS and LDS is off, so {@code /ready} answers 200 only once the
 * control plane has really sent clusters and listeners, never because Envoy gave up waiting for
 * them.
 *
 * @param nodeId {@code node.id}
 * @param cluster {@code node.cluster}, the fleet this Envoy belongs to
 * @param xdsPort the control plane's gRPC port on 127.0.0.1
 * @param mode state-of-the-world or delta ADS
 * @param xdsTls TLS to the control plane; plaintext when empty
 * @param standbyXdsPorts more control-plane ports on 127.0.0.1 in the ADS cluster (replicas of one
 *     control plane, as a Kubernetes Service would spread them): Envoy moves its stream there when
 *     one is gone
 */
public record EnvoyBootstrap(
    String nodeId,
    String cluster,
    int xdsPort,
    AdsMode mode,
    Optional<XdsTls> xdsTls,
    List<Integer> standbyXdsPorts) {

  /**
   * TLS on the xDS connection: the control plane's certificate must chain to {@code caFile} and
   * name 127.0.0.1; Envoy presents {@code certFile} and {@code keyFile} (mutual TLS) when given.
   * ALPN offers h2, as gRPC needs.
   */
  public record XdsTls(Path caFile, Optional<Path> certFile, Optional<Path> keyFile) {
    public XdsTls {
      Objects.requireNonNull(caFile, "caFile");
      if (certFile.isPresent() != keyFile.isPresent()) {
        throw new IllegalArgumentException("certFile and keyFile go together");
      }
    }
  }

  public EnvoyBootstrap {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(xdsTls, "xdsTls");
    standbyXdsPorts = List.copyOf(standbyXdsPorts);
    if (xdsPort < 1 || xdsPort > 65535) {
      throw new IllegalArgumentException("xdsPort must be 1-65535, was " + xdsPort);
    }
  }

  public static EnvoyBootstrap ads(int xdsPort, AdsMode mode) {
    return new EnvoyBootstrap(
        "envoy-" + mode.name().toLowerCase(java.util.Locale.ROOT),
        "fleet",
        xdsPort,
        mode,
        Optional.empty(),
        List.of());
  }

  /** The same bootstrap with {@code ports} as further endpoints of the ADS cluster. */
  public EnvoyBootstrap withStandbyXdsPorts(List<Integer> ports) {
    return new EnvoyBootstrap(nodeId, cluster, xdsPort, mode, xdsTls, ports);
  }

  public EnvoyBootstrap withNode(String id, String fleet) {
    return new EnvoyBootstrap(id, fleet, xdsPort, mode, xdsTls, standbyXdsPorts);
  }

  /** TLS to the control plane, trusting {@code caFile}, without a client certificate. */
  public EnvoyBootstrap withXdsTls(Path caFile) {
    return new EnvoyBootstrap(
        nodeId,
        cluster,
        xdsPort,
        mode,
        Optional.of(new XdsTls(caFile, Optional.empty(), Optional.empty())),
        standbyXdsPorts);
  }

  /**
   * Mutual TLS to the control plane: trusting {@code caFile}, presenting {@code certFile} and
   * {@code keyFile}.
   */
  public EnvoyBootstrap withXdsTls(Path caFile, Path certFile, Path keyFile) {
    return new EnvoyBootstrap(
        nodeId,
        cluster,
        xdsPort,
        mode,
        Optional.of(new XdsTls(caFile, Optional.of(certFile), Optional.of(keyFile))),
        standbyXdsPorts);
  }

  /** The bootstrap as Envoy's YAML. */
  public String toYaml() {
    return toYaml("127.0.0.1", 0, "STATIC", "127.0.0.1");
  }

  /**
   * The bootstrap for an Envoy running as a pod: the control plane is {@code xdsHost} (a Service's
   * DNS name, resolved with {@code STRICT_DNS}) on the xDS port, and the admin interface listens on
   * {@code 0.0.0.0:adminPort} so that tests outside the pod can read it. Through the one Service:
   * in plaintext, or with {@link #withXdsTls} (paths inside the pod) over TLS whose server
   * certificate must name {@code xdsHost}.
   */
  public String toPodYaml(String xdsHost, int adminPort) {
    if (!standbyXdsPorts.isEmpty()) {
      throw new IllegalStateException(
          "A pod's bootstrap reaches its control plane through one Service: no standby " + "ports");
    }
    return toYaml("0.0.0.0", adminPort, "STRICT_DNS", xdsHost);
  }

  private String toYaml(String adminAddress, int adminPort, String xdsClusterType, String xdsHost) {
    return """
        node:
          id: %s
          cluster: %s
        admin:
          address:
            socket_address: { address: %s, port_value: %d }
        dynamic_resources:
          ads_config:
            api_type: %s
            transport_api_version: V3
            grpc_services:
            - envoy_grpc: { cluster_name: ads_cluster }
          cds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s }
          lds_config: { ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s }
        static_resources:
          clusters:
          - name: ads_cluster
            type: %s
            connect_timeout: 1s
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                explicit_http_config: { http2_protocol_options: {} }
            load_assignment:
              cluster_name: ads_cluster
              endpoints:
              - lb_endpoints:
                - endpoint:
                    address:
                      socket_address: { address: %s, port_value: %d }
        """
            .formatted(
                nodeId,
                cluster,
                adminAddress,
                adminPort,
                mode.apiType(),
                xdsClusterType,
                xdsHost,
                xdsPort)
        + standbyXdsPorts.stream()
            .map(
                port ->
                    """
                    - endpoint:
                        address:
                          socket_address: { address: 127.0.0.1, port_value: %d }
            """
                        .formatted(port))
            .collect(java.util.stream.Collectors.joining())
        + xdsTls.map(tls -> transportSocket(tls, xdsHost)).orElse("");
  }

  /**
   * The ads_cluster's TLS transport socket, indented to continue the cluster: the server's
   * certificate must name {@code host} (an IP address, or a DNS name also sent as SNI).
   */
  private static String transportSocket(XdsTls tls, String host) {
    boolean address = host.matches("[0-9.]+");
    String certificates =
        tls.certFile()
            .map(
                cert ->
                    """
                  tls_certificates:
                  - certificate_chain: { filename: "%s" }
                    private_key: { filename: "%s" }
        """
                        .formatted(cert, tls.keyFile().orElseThrow()))
            .orElse("");
    return """
            transport_socket:
              name: envoy.transport_sockets.tls
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext
        %s        common_tls_context:
                  alpn_protocols: [h2]
        %s          validation_context:
                    trusted_ca: { filename: "%s" }
                    match_typed_subject_alt_names:
                    - san_type: %s
                      matcher: { exact: "%s" }
        """
        .formatted(
            address ? "" : "        sni: \"" + host + "\"\n",
            certificates,
            tls.caFile(),
            address ? "IP_ADDRESS" : "DNS",
            host);
  }
}
