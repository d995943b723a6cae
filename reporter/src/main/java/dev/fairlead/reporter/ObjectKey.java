package dev.fairlead.reporter;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;

/**
 * Which object work is about, by kind and name: the key of the work queue (one worker per key at a
 * time) and of the report's index. Deliberately without UID: the object currently under that name
 * is read when the work runs, and its UID decides which verdicts and which cached status apply.
 *
 * @param kind {@code Upstream}, {@code GatewayClass}, {@code Gateway} or {@code HTTPRoute}
 * @param namespace empty for a cluster-scoped kind (GatewayClass)
 */
record ObjectKey(String kind, String namespace, String name) {

  ObjectKey {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** The key of {@code object}; its namespace is empty when it has none (a cluster-scoped kind). */
  static ObjectKey of(String kind, HasMetadata object) {
    return new ObjectKey(
        kind,
        Objects.requireNonNullElse(object.getMetadata().getNamespace(), ""),
        object.getMetadata().getName());
  }

  /** Parses {@code "Kind namespace/name"}, the form {@link StatusReport#objectKey} makes. */
  static ObjectKey parse(String key) {
    int space = key.indexOf(' ');
    int slash = key.indexOf('/', space + 1);
    if (space < 1 || slash < 0) {
      throw new IllegalArgumentException("not \"Kind namespace/name\": \"" + key + "\"");
    }
    return new ObjectKey(
        key.substring(0, space), key.substring(space + 1, slash), key.substring(slash + 1));
  }

  @Override
  public String toString() {
    return kind + " " + namespace + "/" + name;
  }
}
