package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Resolves the backendRefs of HTTPRoutes to clusters.
 *
 * <p>A backendRef names either an Upstream ({@code group: fairlead.dev, kind: Upstream}), whose cluster the
 * {@link UpstreamTranslator} built, or a core Service port ({@code group: "", kind: Service}, {@code port}
 * required), which gets a cluster {@code service/<namespace>/<name>/<port>} with default settings (HTTP/2 when
 * the port's appProtocol is {@code kubernetes.io/h2c}). References to other namespaces are refused
 * ({@code RefNotPermitted}): ReferenceGrant is not modelled yet.
 *
 * <p>Built once per translation; remembers the Service clusters it built so each is built once. Not
 * thread-safe.
 */
final class BackendResolver {

  static final String UPSTREAM_GROUP = Upstream.GROUP;
  static final String H2C_APP_PROTOCOL = "kubernetes.io/h2c";

  private final Map<String, UpstreamTranslator.Result> upstreams;
  private final EndpointTranslator endpoints;
  private final ClusterTranslator clusters;
  private final Map<String, ServiceBackend> serviceBackends = new HashMap<>();

  /**
   * @param upstreams what each Upstream became, keyed {@code namespace/name}
   */
  BackendResolver(Map<String, UpstreamTranslator.Result> upstreams, EndpointTranslator endpoints,
      ClusterTranslator clusters) {
    this.upstreams = upstreams;
    this.endpoints = endpoints;
    this.clusters = clusters;
  }

  /** What one backendRef resolved to, with the weight it was given. */
  sealed interface BackendResolution {

    int weight();

    record Resolved(Backend backend, int weight) implements BackendResolution {
    }

    /** The backendRef cannot be used; its share of requests gets 500s. */
    record Unresolved(String reason, String message, int weight) implements BackendResolution {
    }
  }

  static String serviceClusterName(String namespace, String name, int port) {
    return "service/" + namespace + "/" + name + "/" + port;
  }

  /**
   * Resolves {@code ref}, a backendRef of a route in {@code routeNamespace} found at {@code field} (for
   * messages, e.g. {@code spec.rules[0].backendRefs[1]}).
   */
  BackendResolution resolve(String routeNamespace, HTTPBackendRef ref, String field) {
    int weight = ref.getWeight() == null ? 1 : ref.getWeight();
    String group = Objects.requireNonNullElse(ref.getGroup(), "");
    String kind = Objects.requireNonNullElse(ref.getKind(), "Service");
    boolean upstream = group.equals(UPSTREAM_GROUP) && kind.equals(UpstreamTranslator.KIND);
    boolean service = group.isEmpty() && kind.equals("Service");
    if (!upstream && !service) {
      return new BackendResolution.Unresolved("InvalidKind", field + ": unsupported kind "
          + (group.isEmpty() ? kind : group + "/" + kind) + ", only fairlead.dev/Upstream and Service", weight);
    }
    if (ref.getName() == null || ref.getName().isEmpty()) {
      return new BackendResolution.Unresolved("BackendNotFound", field + ".name: required", weight);
    }
    String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty()
        ? routeNamespace : ref.getNamespace();
    String target = kind + " " + namespace + "/" + ref.getName();
    if (!namespace.equals(routeNamespace)) {
      return new BackendResolution.Unresolved("RefNotPermitted", field + ": " + target
          + " is in another namespace, and cross-namespace references (ReferenceGrant) are not supported yet",
          weight);
    }
    return upstream
        ? upstream(namespace, ref.getName(), field, target, weight)
        : service(namespace, ref.getName(), ref.getPort(), field, weight);
  }

  private BackendResolution upstream(String namespace, String name, String field, String target, int weight) {
    UpstreamTranslator.Result result = upstreams.get(namespace + "/" + name);
    if (result == null) {
      return new BackendResolution.Unresolved("BackendNotFound", field + ": " + target + " not found", weight);
    }
    if (result.backend().isEmpty()) {
      Condition cause = result.verdict().accepted().isTrue()
          ? result.verdict().resolvedRefs() : result.verdict().accepted();
      return new BackendResolution.Unresolved("BackendNotFound", field + ": " + target + " has no cluster ("
          + cause.reason() + "), see its status", weight);
    }
    return new BackendResolution.Resolved(result.backend().get(), weight);
  }

  private BackendResolution service(String namespace, String name, Integer port, String field, int weight) {
    if (port == null) {
      return new BackendResolution.Unresolved("UnsupportedValue", field + ".port: required for a Service", weight);
    }
    String clusterName = serviceClusterName(namespace, name, port);
    ServiceBackend backend = serviceBackends.computeIfAbsent(clusterName,
        k -> serviceBackend(clusterName, namespace, name, port));
    return backend.backend().<BackendResolution>map(b -> new BackendResolution.Resolved(b, weight))
        .orElseGet(() -> new BackendResolution.Unresolved("BackendNotFound", field + ": " + backend.problem(), weight));
  }

  private ServiceBackend serviceBackend(String clusterName, String namespace, String name, int port) {
    EndpointTranslator.ServiceEndpoints found = endpoints.service(clusterName, namespace, name, port);
    if (found instanceof EndpointTranslator.ServiceEndpoints.Found service) {
      Protocol protocol = H2C_APP_PROTOCOL.equals(service.port().getAppProtocol()) ? Protocol.HTTP2 : null;
      UpstreamSpec defaults = new UpstreamSpec(new KubeService(name, namespace, port), null, null, null, null, null,
          null, protocol, null);
      return new ServiceBackend(Optional.of(new Backend(
          clusters.translate(clusterName, defaults, Optional.empty(), Optional.empty()),
          Optional.of(service.assignment()))), "");
    }
    return new ServiceBackend(Optional.empty(), ((EndpointTranslator.ServiceEndpoints.Missing) found).problem());
  }

  /** A Service port's cluster, or why it has none. */
  private record ServiceBackend(Optional<Backend> backend, String problem) {
  }
}
