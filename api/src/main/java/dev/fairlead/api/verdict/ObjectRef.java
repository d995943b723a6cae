package dev.fairlead.api.verdict;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.Objects;

/**
 * The object a {@link Verdict} is about, identified the way the status writer needs it: by UID
 * (status is keyed by UID, so a recreated object with the same name is a different object) and by
 * the generation the verdict describes ({@code observedGeneration}).
 *
 * @param kind {@code Upstream}, {@code Gateway}, {@code HTTPRoute} or {@code GatewayClass}
 * @param namespace empty for a cluster-scoped kind (GatewayClass), otherwise never empty: a
 *     namespaced object without one is read as being in {@code default}, as kubectl does
 * @param uid empty when the object has none (objects read from files in standalone mode)
 * @param generation 0 when the object has none
 */
public record ObjectRef(String kind, String namespace, String name, String uid, long generation) {

  public static final String DEFAULT_NAMESPACE = "default";

  public ObjectRef {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(uid, "uid");
  }

  public static ObjectRef of(String kind, HasMetadata object) {
    return of(kind, namespaceOf(object), object.getMetadata());
  }

  /** A cluster-scoped object: its namespace is empty, whatever its metadata says. */
  public static ObjectRef clusterScoped(String kind, HasMetadata object) {
    return of(kind, "", object.getMetadata());
  }

  private static ObjectRef of(String kind, String namespace, ObjectMeta meta) {
    return new ObjectRef(
        kind,
        namespace,
        meta.getName(),
        meta.getUid() == null ? "" : meta.getUid(),
        meta.getGeneration() == null ? 0 : meta.getGeneration());
  }

  /** The object's namespace, {@code default} when it has none. */
  public static String namespaceOf(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return namespace == null || namespace.isEmpty() ? DEFAULT_NAMESPACE : namespace;
  }

  /** {@code namespace/name}, or {@code name} for a cluster-scoped object. */
  public String key() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
