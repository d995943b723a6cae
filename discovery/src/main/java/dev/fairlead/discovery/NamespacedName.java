package dev.fairlead.discovery;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * The namespace and name of an object: the key under which work about it is queued and its cache
 * entry found.
 *
 * @param namespace the object's namespace; empty for cluster-scoped objects
 * @param name the object's name
 */
record NamespacedName(String namespace, String name) {

  NamespacedName {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  static NamespacedName of(HasMetadata object) {
    String namespace = object.getMetadata().getNamespace();
    return new NamespacedName(namespace == null ? "" : namespace, object.getMetadata().getName());
  }

  @Override
  public String toString() {
    return namespace.isEmpty() ? name : namespace + "/" + name;
  }
}
