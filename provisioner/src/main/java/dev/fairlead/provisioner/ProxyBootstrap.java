package dev.fairlead.provisioner;

/**
 * The Envoy bootstrap of a managed fleet, as the YAML its ConfigMap holds.
 *
 * <ul>
 *   <li>{@code node.cluster} is {@code <namespace>/<gateway>}: the fleet the translator builds for the Gateway.
 *       {@code node.id} is not in the file: the pod passes its own name with {@code --service-node}, so every pod of a
 *       fleet is a distinct node to the xDS server.</li>
 *   <li>One ADS stream (delta) to the Fairlead Service, with no initial-fetch timeout: Envoy finishes initializing,
 *       and so opens its listeners, only once it holds the fleet's clusters and listeners.</li>
 *   <li>The admin interface listens on {@value #ADMIN_PORT} on 127.0.0.1 only: it can stop the proxy and dump its
 *       configuration, so nothing outside the pod reaches it.</li>
 *   <li>A static listener on {@value #READY_PORT} answers {@code GET /ready} (Envoy's health-check filter) for the
 *       readiness probe. Static listeners, like every other, accept connections only after initialization, so a pod
 *       is Ready once it has its configuration; the filter answers 503 while Envoy drains.</li>
 * </ul>
 */
final class ProxyBootstrap {

  /** Envoy's admin port, on 127.0.0.1. A Gateway listener of a managed fleet cannot use it. */
  static final int ADMIN_PORT = 19000;
  /** The readiness listener's port. A Gateway listener of a managed fleet cannot use it. */
  static final int READY_PORT = 19001;
  static final String READY_PATH = "/ready";

  private ProxyBootstrap() {
  }

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
          listeners:
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
        """.formatted(fleet, ADMIN_PORT, options.xdsHost(), options.xdsPort(), READY_PORT, READY_PATH);
  }
}
