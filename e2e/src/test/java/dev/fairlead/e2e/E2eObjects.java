package dev.fairlead.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/** What several end-to-end suites set up and read the same way. */
final class E2eObjects {

  private static final ObjectMapper JSON = new ObjectMapper();

  private E2eObjects() {}

  /**
   * The GatewayClass {@code fairlead} of Fairlead's controller: the class of the suites' Gateways.
   */
  static final String GATEWAY_CLASS =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: fairlead}
      spec: {controllerName: fairlead.dev/gateway-controller}
      """;

  /**
   * Installs the build's Upstream, Allocation and GatewayParameters CRDs and the Gateway API CRDs,
   * and creates the GatewayClass {@code fairlead} ({@link #GATEWAY_CLASS}).
   */
  static void installCrds(RealApiServer apiServer) {
    for (String crd : List.of("upstreams", "allocations", "gatewayparameters")) {
      try (InputStream in =
          Upstream.class.getResourceAsStream("/META-INF/fabric8/" + crd + ".fairlead.dev-v1.yml")) {
        Crds.apply(apiServer.client(), in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    apiServer.installGatewayApiCrds();
    apiServer.apply(GATEWAY_CLASS);
  }

  /**
   * The EndpointSlice {@code <service>-1} of {@code service}, port {@code http} 8080, with {@code
   * endpoints} (YAML).
   */
  static String slice(String service, List<String> endpoints) {
    return slice("default", service, endpoints);
  }

  /** {@link #slice(String, List)} for a Service in {@code namespace}. */
  static String slice(String namespace, String service, List<String> endpoints) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: %s-1
          namespace: %s
          labels: {kubernetes.io/service-name: %s}
        addressType: IPv4
        ports: [{name: http, port: 8080, protocol: TCP}]
        endpoints: [%s]
        """
        .formatted(service, namespace, service, String.join(", ", endpoints));
  }

  /** Gateway {@code name} (class fairlead) with one HTTP listener on {@code port}. */
  static String gateway(String name, int port) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: default}
        spec:
          gatewayClassName: fairlead
          listeners: [{name: http, port: %d, protocol: HTTP}]
        """
        .formatted(name, port);
  }

  /**
   * HTTPRoute {@code name} on Gateway {@code edge}: path prefix {@code prefix} to Upstream {@code
   * upstream}.
   */
  static String route(String name, String prefix, String upstream) {
    return route(name, List.of(), prefix, upstream);
  }

  /**
   * HTTPRoute {@code name} on Gateway {@code edge} for the host {@code hostname}, all to Upstream
   * {@code upstream}: what gRPC's xDS client resolves as {@code xds:///<hostname>}.
   */
  static String hostRoute(String name, String hostname, String upstream) {
    return route(name, List.of(hostname), "/", upstream);
  }

  private static String route(String name, List<String> hostnames, String prefix, String upstream) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: %s, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [%s]
          rules:
          - matches: [{path: {type: PathPrefix, value: %s}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: %s}]
        """
        .formatted(name, String.join(", ", hostnames), prefix, upstream);
  }

  /** Upstream {@code name} of {@code protocol} with one static host, 127.0.0.1:{@code port}. */
  static String staticUpstream(String name, String protocol, int port) {
    return """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: %s, namespace: default}
        spec: {protocol: %s, static: {hosts: [{address: 127.0.0.1, port: %d}]}}
        """
        .formatted(name, protocol, port);
  }

  /**
   * The endpoint addresses an Envoy {@code /config_dump?include_eds} holds for one cluster, in its
   * order.
   */
  static List<String> envoyEndpoints(String configDump, String cluster) {
    List<String> addresses = new ArrayList<>();
    try {
      for (JsonNode config : JSON.readTree(configDump).path("configs")) {
        for (JsonNode dynamic : config.path("dynamic_endpoint_configs")) {
          JsonNode assignment = dynamic.path("endpoint_config");
          if (cluster.equals(assignment.path("cluster_name").asText())) {
            for (JsonNode locality : assignment.path("endpoints")) {
              for (JsonNode endpoint : locality.path("lb_endpoints")) {
                addresses.add(
                    endpoint
                        .path("endpoint")
                        .path("address")
                        .path("socket_address")
                        .path("address")
                        .asText());
              }
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return addresses;
  }
}
