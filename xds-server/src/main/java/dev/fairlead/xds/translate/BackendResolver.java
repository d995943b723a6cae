package dev.fairlead.xds.translate;

import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.verdict.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.BackendObjectReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Resolves the backendRefs of routes (and of their RequestMirror filters) to clusters.
 *
 * <p>A backendRef names either an Upstream ({@code group: fairlead.dev, kind: Upstream}), whose
 * cluster the {@link UpstreamTranslator} built, or a core Service port ({@code group: "", kind:
 * Service}, {@code port} required), which gets a cluster {@code service/<namespace>/<name>/<port>}
 * with default settings (HTTP/2 when the port's appProtocol is {@code kubernetes.io/h2c}; for a
 * GRPCRoute always HTTP/2, in a cluster {@code service/<namespace>/<name>/<port>/h2c}, since gRPC
 * needs it whatever the port declares). A reference to another namespace needs a ReferenceGrant
 * there permitting it ({@link ReferenceGrants}: from the route's kind, such as {@code
 * gateway.networking.k8s.io/HTTPRoute}, in the route's namespace to the Upstream or Service);
 * without one it is refused ({@code RefNotPermitted}).
 *
 * <p>Built once per translation, and given the Service clusters by whoever remembers them (each is
 * built once); not thread-safe.
 */
final class BackendResolver {

  static final String UPSTREAM_GROUP = Upstream.GROUP;
  static final String H2C_APP_PROTOCOL = "kubernetes.io/h2c";

  private final Map<String, UpstreamTranslator.Result> upstreams;
  private final Function<ServiceKey, ServiceBackend> serviceBackends;
  private final ReferenceGrants grants;

  /**
   * @param upstreams what each Upstream became, keyed {@code namespace/name}
   * @param serviceBackends the backend of each Service port, as {@link #serviceBackend} builds it
   * @param grants which references across namespaces are permitted
   */
  BackendResolver(
      Map<String, UpstreamTranslator.Result> upstreams,
      Function<ServiceKey, ServiceBackend> serviceBackends,
      ReferenceGrants grants) {
    this.upstreams = upstreams;
    this.serviceBackends = serviceBackends;
    this.grants = grants;
  }

  /**
   * A port of a Service, which a backendRef of kind Service names.
   *
   * @param http2 whether its cluster speaks HTTP/2 without TLS (h2c) whatever the port's
   *     appProtocol says: a GRPCRoute's backends do; such a cluster's name ends in {@code /h2c}
   */
  record ServiceKey(String namespace, String name, int port, boolean http2) {

    String clusterName() {
      return serviceClusterName(namespace, name, port) + (http2 ? "/h2c" : "");
    }
  }

  /** A Service port's cluster, or why it has none. */
  record ServiceBackend(Optional<Backend> backend, String problem) {}

  /** What one backendRef resolved to, with the weight it was given. */
  sealed interface BackendResolution {

    int weight();

    record Resolved(Backend backend, int weight) implements BackendResolution {}

    /** The backendRef cannot be used; its share of requests gets 500s. */
    record Unresolved(String reason, String message, int weight) implements BackendResolution {}
  }

  static String serviceClusterName(String namespace, String name, int port) {
    return "service/" + namespace + "/" + name + "/" + port;
  }

  /**
   * Resolves {@code ref}, a backendRef of a route of kind {@code routeKind} in {@code
   * routeNamespace} found at {@code field} (for messages, e.g. {@code
   * spec.rules[0].backendRefs[1]}), recording in {@code reads} the Upstream or Service backend it
   * resolved through, and whether a ReferenceGrant permits it when it crosses namespaces.
   */
  BackendResolution resolve(
      String routeKind, String routeNamespace, HTTPBackendRef ref, String field, Reads reads) {
    return resolve(
        routeKind,
        routeNamespace,
        ref.getGroup(),
        ref.getKind(),
        ref.getName(),
        ref.getNamespace(),
        ref.getPort(),
        ref.getWeight() == null ? 1 : ref.getWeight(),
        field,
        reads);
  }

  /**
   * Resolves {@code ref}, a reference without weight (a RequestMirror filter's backendRef, say) of
   * a route of kind {@code routeKind} in {@code routeNamespace}, as {@link #resolve(String, String,
   * HTTPBackendRef, String, Reads)} does; the resolution has weight 1.
   */
  BackendResolution resolve(
      String routeKind,
      String routeNamespace,
      BackendObjectReference ref,
      String field,
      Reads reads) {
    return resolve(
        routeKind,
        routeNamespace,
        ref.getGroup(),
        ref.getKind(),
        ref.getName(),
        ref.getNamespace(),
        ref.getPort(),
        1,
        field,
        reads);
  }

  private BackendResolution resolve(
      String routeKind,
      String routeNamespace,
      String refGroup,
      String refKind,
      String name,
      String refNamespace,
      Integer port,
      int weight,
      String field,
      Reads reads) {
    String group = Objects.requireNonNullElse(refGroup, "");
    String kind = Objects.requireNonNullElse(refKind, "Service");
    boolean upstream = group.equals(UPSTREAM_GROUP) && kind.equals(UpstreamTranslator.KIND);
    boolean service = group.isEmpty() && kind.equals("Service");
    if (!upstream && !service) {
      return new BackendResolution.Unresolved(
          "InvalidKind",
          field
              + ": unsupported kind "
              + (group.isEmpty() ? kind : group + "/" + kind)
              + ", only fairlead.dev/Upstream and Service",
          weight);
    }
    if (name == null || name.isEmpty()) {
      return new BackendResolution.Unresolved("BackendNotFound", field + ".name: required", weight);
    }
    String namespace =
        refNamespace == null || refNamespace.isEmpty() ? routeNamespace : refNamespace;
    String target = kind + " " + namespace + "/" + name;
    ReferenceGrants.Reference reference =
        new ReferenceGrants.Reference(
            GatewayTranslator.GROUP, routeKind, routeNamespace, group, kind, namespace, name);
    if (!grants.permits(reference, reads)) {
      return new BackendResolution.Unresolved(
          "RefNotPermitted",
          field
              + ".namespace: "
              + target
              + " is in another namespace than the route, and no ReferenceGrant permits the reference (it takes "
              + reference.grantNeeded()
              + ")",
          weight);
    }
    return upstream
        ? upstream(namespace, name, field, target, weight, reads)
        : service(
            namespace,
            name,
            port,
            routeKind.equals(GRPCRouteTranslator.KIND),
            field,
            weight,
            reads);
  }

  private BackendResolution upstream(
      String namespace, String name, String field, String target, int weight, Reads reads) {
    String key = namespace + "/" + name;
    UpstreamTranslator.Result result = reads.read(Reads.Source.UPSTREAM, key, upstreams.get(key));
    if (result == null) {
      return new BackendResolution.Unresolved(
          "BackendNotFound", field + ": " + target + " not found", weight);
    }
    if (result.backend().isEmpty()) {
      Condition cause =
          result.verdict().accepted().isTrue()
              ? result.verdict().resolvedRefs()
              : result.verdict().accepted();
      return new BackendResolution.Unresolved(
          "BackendNotFound",
          field + ": " + target + " has no cluster (" + cause.reason() + "), see its status",
          weight);
    }
    return new BackendResolution.Resolved(result.backend().get(), weight);
  }

  private BackendResolution service(
      String namespace,
      String name,
      Integer port,
      boolean http2,
      String field,
      int weight,
      Reads reads) {
    if (port == null) {
      return new BackendResolution.Unresolved(
          "UnsupportedValue", field + ".port: required for a Service", weight);
    }
    ServiceKey key = new ServiceKey(namespace, name, port, http2);
    ServiceBackend backend =
        reads.read(Reads.Source.SERVICE_BACKEND, key, serviceBackends.apply(key));
    return backend
        .backend()
        .<BackendResolution>map(b -> new BackendResolution.Resolved(b, weight))
        .orElseGet(
            () ->
                new BackendResolution.Unresolved(
                    "BackendNotFound", field + ": " + backend.problem(), weight));
  }

  /**
   * The cluster {@code service/<namespace>/<name>/<port>} of a Service port, with default settings,
   * or why it has none; records in {@code reads} the Service and slices it was built from.
   */
  static ServiceBackend serviceBackend(
      ServiceKey key, EndpointTranslator endpoints, ClusterTranslator clusters, Reads reads) {
    String clusterName = key.clusterName();
    EndpointTranslator.ServiceEndpoints found =
        endpoints.service(clusterName, key.namespace(), key.name(), key.port(), reads);
    if (found instanceof EndpointTranslator.ServiceEndpoints.Found service) {
      Protocol protocol =
          key.http2() || H2C_APP_PROTOCOL.equals(service.port().getAppProtocol())
              ? Protocol.HTTP2
              : null;
      UpstreamSpec defaults =
          UpstreamSpec.builder()
              .kube(new KubeService(key.name(), key.namespace(), key.port()))
              .protocol(protocol)
              .build();
      return new ServiceBackend(
          Optional.of(
              new Backend(
                  clusters.translate(clusterName, defaults, Optional.empty(), Optional.empty()),
                  Optional.of(service.assignment()))),
          "");
    }
    return new ServiceBackend(
        Optional.empty(), ((EndpointTranslator.ServiceEndpoints.Missing) found).problem());
  }
}
