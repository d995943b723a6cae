package dev.fairlead.xds.translate;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link ClusterState} from a multi-document YAML file of Kubernetes objects (Upstream,
 * GatewayClass, Gateway, HTTPRoute, GRPCRoute, ReferenceGrant, Service, EndpointSlice, ConfigMap,
 * Allocation, Secret of type kubernetes.io/tls, Namespace, GatewayParameters), as the golden-file
 * cases hold them. Any other kind fails the read, so a typo in a case cannot silently drop an
 * object.
 */
final class ClusterStateYaml {

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static {
    SERIALIZATION.registerKubernetesResource(Upstream.class);
    SERIALIZATION.registerKubernetesResource(Allocation.class);
    SERIALIZATION.registerKubernetesResource(GatewayParameters.class);
  }

  /**
   * GatewayClass {@code fairlead}, naming Fairlead's controller: the class of the tests' Gateways.
   */
  static final String FAIRLEAD_CLASS =
      """
      apiVersion: gateway.networking.k8s.io/v1
      kind: GatewayClass
      metadata: {name: fairlead}
      spec: {controllerName: fairlead.dev/gateway-controller}
      """;

  private ClusterStateYaml() {}

  /** The objects in {@code file}, in file order. */
  static List<HasMetadata> objects(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return objects(SERIALIZATION.unmarshal(in), file.toString());
    }
  }

  /** The objects in {@code yaml}, in order. */
  static List<HasMetadata> objects(String yaml) {
    return objects(SERIALIZATION.unmarshal(yaml), "YAML");
  }

  private static List<HasMetadata> objects(Object parsed, String source) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Object object : parsed instanceof List<?> list ? list : List.of(parsed)) {
      if (!(object instanceof HasMetadata resource)) {
        throw new IllegalArgumentException(source + ": not a Kubernetes object: " + object);
      }
      objects.add(resource);
    }
    return objects;
  }

  /** The state {@code yaml} describes. */
  static ClusterState state(String yaml) {
    return state(objects(yaml));
  }

  /** A state holding {@code objects}; fails on a kind the state has no place for. */
  static ClusterState state(List<HasMetadata> objects) {
    return ClusterState.of(objects);
  }
}
