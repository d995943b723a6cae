package dev.fairlead.testkit;

import java.util.Objects;

/**
 * A dynamic Envoy bootstrap: node identity, and every listener and cluster from one ADS stream to a
 * control plane on {@code 127.0.0.1:xdsPort}. The admin interface listens on an ephemeral loopback port.
 *
 * <p>The initial-fetch timeout of CDS and LDS is off, so {@code /ready} answers 200 only once the control
 * plane has really sent clusters and listeners, never because Envoy gave up waiting for them.
 *
 * @param nodeId   {@code node.id}
 * @param cluster  {@code node.cluster}, the fleet this Envoy belongs to
 * @param xdsPort  the control plane's gRPC port on 127.0.0.1
 * @param mode     state-of-the-world or delta ADS
 */
public record EnvoyBootstrap(String nodeId, String cluster, int xdsPort, AdsMode mode) {

  public EnvoyBootstrap {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(mode, "mode");
    if (xdsPort < 1 || xdsPort > 65535) {
      throw new IllegalArgumentException("xdsPort must be 1-65535, was " + xdsPort);
    }
  }

  public static EnvoyBootstrap ads(int xdsPort, AdsMode mode) {
    return new EnvoyBootstrap("envoy-" + mode.name().toLowerCase(java.util.Locale.ROOT), "fleet", xdsPort, mode);
  }

  public EnvoyBootstrap withNode(String id, String fleet) {
    return new EnvoyBootstrap(id, fleet, xdsPort, mode);
  }

  /** The bootstrap as Envoy's YAML. */
  public String toYaml() {
    return """
        node:
          id: %s
          cluster: %s
        admin:
          address:
            socket_address: { address: 127.0.0.1, port_value: 0 }
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
            type: STATIC
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
                      socket_address: { address: 127.0.0.1, port_value: %d }
        """.formatted(nodeId, cluster, mode.apiType(), xdsPort);
  }
}
