package dev.fairlead.discovery;

import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The fields of an object that one field manager owns through server-side apply, read from {@code
 * metadata.managedFields}: the part of an object a manager's next apply would remove if it left
 * them out. Discovery needs this to tell "a field I set earlier and no longer want" (apply, so the
 * server removes it) from "a field somebody else set" (leave it alone), which the object's values
 * alone cannot tell.
 *
 * <p>A pure value.
 *
 * @param labels label keys owned
 * @param ownerReferenceUids UIDs of the owner references owned
 * @param spec owned paths under {@code spec}, dotted ({@code kube}, {@code kube.port}, {@code
 *     protocol})
 */
record OwnedFields(Set<String> labels, Set<String> ownerReferenceUids, Set<String> spec) {

  static final OwnedFields NONE = new OwnedFields(Set.of(), Set.of(), Set.of());

  OwnedFields {
    labels = Set.copyOf(labels);
    ownerReferenceUids = Set.copyOf(ownerReferenceUids);
    spec = Set.copyOf(spec);
  }

  /**
   * What {@code manager} owns through its Apply operations on the main resource (not a
   * subresource).
   */
  static OwnedFields of(ObjectMeta metadata, String manager) {
    if (metadata == null || metadata.getManagedFields() == null) {
      return NONE;
    }
    Set<String> labels = new HashSet<>();
    Set<String> owners = new HashSet<>();
    Set<String> spec = new HashSet<>();
    for (ManagedFieldsEntry entry : metadata.getManagedFields()) {
      if (!manager.equals(entry.getManager())
          || !"Apply".equals(entry.getOperation())
          || (entry.getSubresource() != null && !entry.getSubresource().isEmpty())
          || entry.getFieldsV1() == null) {
        continue;
      }
      Map<String, Object> fields = entry.getFieldsV1().getAdditionalProperties();
      Map<String, Object> meta = child(fields, "f:metadata");
      for (String key : child(meta, "f:labels").keySet()) {
        if (key.startsWith("f:")) {
          labels.add(key.substring(2));
        }
      }
      for (String key : child(meta, "f:ownerReferences").keySet()) {
        String uid = uidOfListKey(key);
        if (uid != null) {
          owners.add(uid);
        }
      }
      collectPaths(child(fields, "f:spec"), "", spec);
    }
    return new OwnedFields(labels, owners, spec);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> fields, String key) {
    Object value = fields.get(key);
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  private static void collectPaths(Map<String, Object> fields, String prefix, Set<String> into) {
    for (String key : fields.keySet()) {
      if (!key.startsWith("f:")) {
        continue;
      }
      String path = prefix + key.substring(2);
      into.add(path);
      collectPaths(child(fields, key), path + ".", into);
    }
  }

  /** The uid of a list-map key such as {@code k:{"uid":"1234"}}, or null. */
  private static String uidOfListKey(String key) {
    String marker = "\"uid\":\"";
    int start = key.startsWith("k:") ? key.indexOf(marker) : -1;
    if (start < 0) {
      return null;
    }
    int from = start + marker.length();
    int end = key.indexOf('"', from);
    return end < 0 ? null : key.substring(from, end);
  }
}
