package dev.fairlead.api.log;

import dev.fairlead.api.verdict.ObjectRef;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.Objects;
import org.slf4j.MDC;

/**
 * Puts the Kubernetes object a log line is about into the logging context (SLF4J's MDC) for the
 * lines logged within it: {@code kind}, {@code namespace}, {@code name}, {@code uid}, and {@code
 * object} ({@code Kind namespace/name uid}) for text formats. The text log shows {@code [object]}
 * after the logger; the JSON log carries the keys in its {@code mdc} field, so every line about an
 * object can be found by its UID, whichever component wrote it.
 *
 * <pre>{@code
 * try (ObjectLog ignored = ObjectLog.of(ref)) {
 *   LOG.warn("...");
 * }
 * }</pre>
 *
 * <p>Scopes nest: closing one restores what the enclosing scope had. Per thread, like the MDC.
 */
public final class ObjectLog implements AutoCloseable {

  static final String[] KEYS = {"kind", "namespace", "name", "uid", "object"};

  private final String[] previous = new String[KEYS.length];

  private ObjectLog(String kind, String namespace, String name, String uid) {
    String[] values = {
      kind,
      namespace,
      name,
      uid,
      kind + " " + namespace + "/" + name + (uid.isEmpty() ? "" : " " + uid)
    };
    for (int i = 0; i < KEYS.length; i++) {
      previous[i] = MDC.get(KEYS[i]);
      MDC.put(KEYS[i], values[i]);
    }
  }

  /** A scope for the object {@code ref} names. */
  public static ObjectLog of(ObjectRef ref) {
    return new ObjectLog(ref.kind(), ref.namespace(), ref.name(), ref.uid());
  }

  /**
   * A scope for {@code object} as the API server holds it, of kind {@code kind} (fabric8 objects do
   * not always carry their kind): one without a namespace is cluster-scoped (a GatewayClass), and
   * its namespace stays empty.
   */
  public static ObjectLog of(String kind, HasMetadata object) {
    return of(
        object.getMetadata().getNamespace() == null
            ? ObjectRef.clusterScoped(kind, object)
            : ObjectRef.of(kind, object));
  }

  /** A scope for an object known by name only (its UID unknown, e.g. not created yet). */
  public static ObjectLog of(String kind, String namespace, String name, String uid) {
    return new ObjectLog(
        Objects.requireNonNull(kind, "kind"),
        Objects.requireNonNull(namespace, "namespace"),
        Objects.requireNonNull(name, "name"),
        uid == null ? "" : uid);
  }

  @Override
  public void close() {
    for (int i = 0; i < KEYS.length; i++) {
      if (previous[i] == null) {
        MDC.remove(KEYS[i]);
      } else {
        MDC.put(KEYS[i], previous[i]);
      }
    }
  }
}
