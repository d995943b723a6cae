package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.ObjectRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantFrom;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ReferenceGrantTo;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether a reference from an object in one namespace to an object in another is permitted, as the
 * Gateway API defines ReferenceGrant ({@code gateway.networking.k8s.io/v1beta1}): it is when a
 * ReferenceGrant in the referent's namespace lists the referrer's group, kind and namespace under
 * {@code from}, and the referent's group and kind under {@code to}, with the referent's name or no
 * name. A reference within one namespace is always permitted. Every translation that follows a
 * reference across namespaces (an Upstream's {@code spec.kube}, an HTTPRoute's backendRefs) asks
 * this one class.
 *
 * <p>Each answer about a reference across namespaces is recorded in the asker's {@link Reads}
 * ({@link Reads.Source#REFERENCE_GRANT}), so an earlier translation is reused only while the answer
 * is the same: a grant added permits at once, and a grant removed or narrowed revokes at once.
 *
 * <p>Built once per translation from the state's ReferenceGrants; immutable afterwards.
 */
final class ReferenceGrants {

  private final Map<String, List<ReferenceGrant>> byNamespace = new HashMap<>();

  ReferenceGrants(List<ReferenceGrant> grants) {
    for (ReferenceGrant grant : grants) {
      if (grant.getMetadata() != null && grant.getSpec() != null) {
        byNamespace
            .computeIfAbsent(ObjectRef.namespaceOf(grant), ns -> new ArrayList<>())
            .add(grant);
      }
    }
  }

  /**
   * A reference from an object of {@code fromGroup/fromKind} in {@code fromNamespace} to the object
   * {@code toGroup/toKind} {@code toNamespace/toName}. The core group is {@code ""}.
   */
  record Reference(
      String fromGroup,
      String fromKind,
      String fromNamespace,
      String toGroup,
      String toKind,
      String toNamespace,
      String toName) {

    Reference {
      Objects.requireNonNull(fromGroup, "fromGroup");
      Objects.requireNonNull(fromKind, "fromKind");
      Objects.requireNonNull(fromNamespace, "fromNamespace");
      Objects.requireNonNull(toGroup, "toGroup");
      Objects.requireNonNull(toKind, "toKind");
      Objects.requireNonNull(toNamespace, "toNamespace");
      Objects.requireNonNull(toName, "toName");
    }

    boolean crossesNamespaces() {
      return !fromNamespace.equals(toNamespace);
    }

    /**
     * The ReferenceGrant that would permit this reference, for messages telling a user how to allow
     * it.
     */
    String grantNeeded() {
      return "a ReferenceGrant in namespace "
          + toNamespace
          + " from {group: "
          + quoted(fromGroup)
          + ", kind: "
          + fromKind
          + ", namespace: "
          + fromNamespace
          + "} to {group: "
          + quoted(toGroup)
          + ", kind: "
          + toKind
          + ", name: "
          + toName
          + "}";
    }

    private static String quoted(String group) {
      return group.isEmpty() ? "\"\"" : group;
    }
  }

  /**
   * Whether {@code reference} is permitted, recording in {@code reads} the answer for one across
   * namespaces.
   */
  boolean permits(Reference reference, Reads reads) {
    return !reference.crossesNamespaces()
        || reads.read(Reads.Source.REFERENCE_GRANT, reference, granted(reference));
  }

  /**
   * Whether a ReferenceGrant in the referent's namespace permits {@code reference}; not recorded
   * anywhere.
   */
  boolean granted(Reference reference) {
    for (ReferenceGrant grant : byNamespace.getOrDefault(reference.toNamespace(), List.of())) {
      if (grant.getSpec().getFrom() != null
          && grant.getSpec().getTo() != null
          && grant.getSpec().getFrom().stream().anyMatch(from -> matches(from, reference))
          && grant.getSpec().getTo().stream().anyMatch(to -> matches(to, reference))) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(ReferenceGrantFrom from, Reference reference) {
    return from != null
        && group(from.getGroup()).equals(reference.fromGroup())
        && reference.fromKind().equals(from.getKind())
        && reference.fromNamespace().equals(from.getNamespace());
  }

  private static boolean matches(ReferenceGrantTo to, Reference reference) {
    return to != null
        && group(to.getGroup()).equals(reference.toGroup())
        && reference.toKind().equals(to.getKind())
        && (to.getName() == null
            || to.getName().isEmpty()
            || reference.toName().equals(to.getName()));
  }

  /** A grant's group; the core group is {@code ""}, which a file may leave out. */
  private static String group(String group) {
    return group == null ? "" : group;
  }
}
