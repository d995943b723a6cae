package dev.fairlead.provisioner;

import java.util.List;

/**
 * The Envoy bootstrap of a managed fleet, as the YAML its ConfigMap holds.
 *
 * <ul>
 *   <li>{@code node.cluster} is {@code <namespace>/<gateway>}: the fleet the translator builds for
 *       the Gateway. {@code node.id} is not in the file: the pod passes its own name with {@code
 *       --service-node}, so every pod of a fleet is a distinct node to the xDS server.
 *   <li>One ADS stream (delta) to the Fairlead Service, with no initial-fetch timeout: Envoy
 *       finishes initializing, and so opens its listeners, only once it holds the fleet's clusters
 *       and listeners. With Fairlead's xDS CA ({@link ProvisionerOptions#ca()}) the stream is
 *       mutual TLS: Envoy presents the fleet's client certificate from {@value
 *       #CLIENT_CERTIFICATE_DIR} (whose identity the xDS server binds to {@code node.cluster}),
 *       trusts only that CA, and accepts only a server certificate naming the host it dials (ALPN
 *       {@code h2}, which gRPC requires).
 *   <li>The admin interface listens on {@value #ADMIN_PORT} on 127.0.0.1 only: it can stop the
 *       proxy and dump its configuration, so nothing outside the pod reaches it.
 *   <li>A static listener on {@value #READY_PORT} answers {@code GET /ready} (Envoy's health-check
 *       filter) for the readiness probe. Static listeners, like every other, accept connections
 *       only after initialization, so a pod is Ready once it has its configuration; the filter
 *       answers 503 while Envoy drains.
 * </ul>
 */
final class ProxyBootstrap {

  /** Envoy's admin port, on 127.0.0.1. A Gateway listener of a managed fleet cannot use it. */
  static final int ADMIN_PORT = 19000;

  /** The readiness listener's port. A Gateway listener of a managed fleet cannot use it. */
  static final int READY_PORT = 19001;

  static final String READY_PATH = "/ready";

  /**
   * Where the fleet's client certificate Secret is mounted: {@code tls.crt}, {@code tls.key},
   * {@code ca.crt}.
   */
  static final String CLIENT_CERTIFICATE_DIR = "/etc/fairlead/xds-client";

  private ProxyBootstrap() {}

  /** The bootstrap of the fleet {@code fleet} ({@code <namespace>/<gateway>}). */
  static String yaml(String fleet, ProvisionerOptions options) {
    return """
        node:
          cluster: "%s"
        admin:
          address:
            socket_address: {address: 127.0.0.1, port_value: %d}
        dynamic_resources:
          ads_config:
            api_type: DELTA_GRPC
            transport_api_version: V3
            grpc_services:
            - envoy_grpc: {cluster_name: fairlead_xds}
          cds_config: {ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s}
          lds_config: {ads: {}, resource_api_version: V3, initial_fetch_timeout: 0s}
        static_resources:
          clusters:
          - name: fairlead_xds
            type: STRICT_DNS
            connect_timeout: 5s
            typed_extension_protocol_options:
              envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
                "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
                explicit_http_config: {http2_protocol_options: {}}
            load_assignment:
              cluster_name: fairlead_xds
              endpoints:
              - lb_endpoints:
                - endpoint:
                    address:
                      socket_address: {address: "%s", port_value: %d}
        %s  listeners:
          - name: fairlead_ready
            address:
              socket_address: {address: 0.0.0.0, port_value: %d}
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: fairlead_ready
                  route_config:
                    name: fairlead_ready
                    virtual_hosts:
                    - name: fairlead_ready
                      domains: ["*"]
                      routes:
                      - match: {prefix: "/"}
                        direct_response: {status: 404}
                  http_filters:
                  - name: envoy.filters.http.health_check
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.health_check.v3.HealthCheck
                      pass_through_mode: false
                      headers:
                      - name: ":path"
                        string_match: {exact: "%s"}
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
        """
        .formatted(
            fleet,
            ADMIN_PORT,
            options.xdsHost(),
            options.xdsPort(),
            options.ca().isPresent() ? transportSocket(options.xdsHost()) : "",
            READY_PORT,
            READY_PATH);
  }

  /**
   * The mutual-TLS transport socket of the xDS cluster: whole lines, indented to sit in the
   * cluster.
   */
  private static String transportSocket(String host) {
    boolean address = ProxyCertificateAuthority.isAddress(host);
    String dir = CLIENT_CERTIFICATE_DIR;
    return String.join(
            "\n",
            List.of(
                "    transport_socket:",
                "      name: envoy.transport_sockets.tls",
                "      typed_config:",
                "        \"@type\": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext",
                address ? "        # an IP address: no SNI" : "        sni: \"" + host + "\"",
                "        common_tls_context:",
                "          alpn_protocols: [h2]",
                "          tls_certificates:",
                "          - certificate_chain: {filename: " + dir + "/tls.crt}",
                "            private_key: {filename: " + dir + "/tls.key}",
                "          validation_context:",
                "            trusted_ca: {filename: " + dir + "/ca.crt}",
                "            match_typed_subject_alt_names:",
                "            - san_type: " + (address ? "IP_ADDRESS" : "DNS"),
                "              matcher: {exact: \"" + host + "\"}"))
        + "\n";
  }
}
