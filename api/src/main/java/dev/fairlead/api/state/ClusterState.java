package dev.fairlead.api.state;

import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * Everything a translation starts from: the objects a source (the Kubernetes informers, or the
 * files of standalone mode) holds at one moment. Each list is sorted by namespace and name, so two
 * sources holding the same objects build equal states and the translator's output does not depend
 * on arrival order. GatewayClasses are cluster-scoped: they sort by name, and so do Namespaces.
 *
 * <p>{@code secrets} are Secrets of type {@value #TLS_SECRET_TYPE} only (certificates Gateway
 * listeners may name): the Kubernetes source never caches another type, and the translator refuses
 * a reference to one it does not find here. {@code namespaces} carry the labels {@code
 * allowedRoutes.namespaces.from: Selector} matches against. {@code proxyDeployments} are the Envoy
 * Deployments of managed fleets (only while the provisioner runs; the translator does not read
 * them, the Gateways' status does).
 *
 * <p>Every object has {@code metadata.name} and no empty ({@code null}) list item: the API server
 * refuses both, and so does the file source of standalone mode.
 *
 * <p>Immutable by contract: the lists cannot be modified, and whoever builds a state hands over the
 * objects in it and never mutates them afterwards (fabric8's model classes are mutable, so this is
 * a promise, not a check). Safe to share between threads.
 */
public record ClusterState(
    List<Upstream> upstreams,
    List<Gateway> gateways,
    List<HTTPRoute> httpRoutes,
    List<Service> services,
    List<EndpointSlice> endpointSlices,
    List<ConfigMap> configMaps,
    List<Allocation> allocations,
    List<ReferenceGrant> referenceGrants,
    List<GatewayClass> gatewayClasses,
    List<Secret> secrets,
    List<Namespace> namespaces,
    List<GRPCRoute> grpcRoutes,
    List<GatewayParameters> gatewayParameters,
    List<Deployment> proxyDeployments) {

  /**
   * The {@code type} of the Secrets a state holds: a certificate and its private key, PEM-encoded.
   */
  public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

  /** Orders objects by namespace, then name. */
  public static final Comparator<HasMetadata> BY_NAMESPACE_AND_NAME =
      Comparator.comparing((HasMetadata o) -> nullToEmpty(o.getMetadata().getNamespace()))
          .thenComparing(o -> nullToEmpty(o.getMetadata().getName()));

  public static final ClusterState EMPTY =
      new ClusterState(
          List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
          List.of(), List.of(), List.of(), List.of(), List.of(), List.of());

  public ClusterState {
    upstreams = sorted(upstreams);
    gateways = sorted(gateways);
    httpRoutes = sorted(httpRoutes);
    services = sorted(services);
    endpointSlices = sorted(endpointSlices);
    configMaps = sorted(configMaps);
    allocations = sorted(allocations);
    referenceGrants = sorted(referenceGrants);
    gatewayClasses = sorted(gatewayClasses);
    secrets = sorted(secrets);
    namespaces = sorted(namespaces);
    grpcRoutes = sorted(grpcRoutes);
    gatewayParameters = sorted(gatewayParameters);
    proxyDeployments = sorted(proxyDeployments);
  }

  /**
   * A state holding {@code objects}, each placed by its kind.
   *
   * @throws IllegalArgumentException for an object of a kind a state has no place for (a Secret of
   *     another type than {@value #TLS_SECRET_TYPE} among them), naming it
   */
  public static ClusterState of(Collection<? extends HasMetadata> objects) {
    List<Upstream> upstreams = new ArrayList<>();
    List<Gateway> gateways = new ArrayList<>();
    List<HTTPRoute> routes = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<ConfigMap> configMaps = new ArrayList<>();
    List<Allocation> allocations = new ArrayList<>();
    List<ReferenceGrant> referenceGrants = new ArrayList<>();
    List<GatewayClass> gatewayClasses = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    List<Namespace> namespaces = new ArrayList<>();
    List<GRPCRoute> grpcRoutes = new ArrayList<>();
    List<GatewayParameters> gatewayParameters = new ArrayList<>();
    List<Deployment> proxyDeployments = new ArrayList<>();
    for (HasMetadata object : objects) {
      if (object instanceof Upstream upstream) {
        upstreams.add(upstream);
      } else if (object instanceof Gateway gateway) {
        gateways.add(gateway);
      } else if (object instanceof HTTPRoute route) {
        routes.add(route);
      } else if (object instanceof Service service) {
        services.add(service);
      } else if (object instanceof EndpointSlice slice) {
        slices.add(slice);
      } else if (object instanceof ConfigMap configMap) {
        configMaps.add(configMap);
      } else if (object instanceof Allocation allocation) {
        allocations.add(allocation);
      } else if (object instanceof ReferenceGrant grant) {
        referenceGrants.add(grant);
      } else if (object instanceof GatewayClass gatewayClass) {
        gatewayClasses.add(gatewayClass);
      } else if (object instanceof Secret secret && TLS_SECRET_TYPE.equals(secret.getType())) {
        secrets.add(secret);
      } else if (object instanceof Namespace namespace) {
        namespaces.add(namespace);
      } else if (object instanceof GRPCRoute grpcRoute) {
        grpcRoutes.add(grpcRoute);
      } else if (object instanceof GatewayParameters parameters) {
        gatewayParameters.add(parameters);
      } else if (object instanceof Deployment deployment) {
        proxyDeployments.add(deployment);
      } else {
        throw new IllegalArgumentException(
            "A ClusterState has no place for "
                + object.getApiVersion()
                + " "
                + object.getKind()
                + " "
                + object.getMetadata().getNamespace()
                + "/"
                + object.getMetadata().getName()
                + (object instanceof Secret
                    ? " (only Secrets of type " + TLS_SECRET_TYPE + ")"
                    : ""));
      }
    }
    return new ClusterState(
        upstreams,
        gateways,
        routes,
        services,
        slices,
        configMaps,
        allocations,
        referenceGrants,
        gatewayClasses,
        secrets,
        namespaces,
        grpcRoutes,
        gatewayParameters,
        proxyDeployments);
  }

  private static <T extends HasMetadata> List<T> sorted(List<T> objects) {
    return objects == null ? List.of() : objects.stream().sorted(BY_NAMESPACE_AND_NAME).toList();
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
