package dev.fairlead.discovery;

import dev.fairlead.api.v1alpha1.Upstream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What discovery should do about one Upstream name of one Service, decided from the desired state
 * and the object as it is, without writing anything (java-operator-sdk style: the decision is a
 * value, {@link UpstreamWriter} carries it out). {@link #decide} is pure, so a retry after a
 * conflict can decide again from a fresh read.
 */
sealed interface UpstreamDecision {

  /** Nothing to write: in sync, already gone, or being deleted. */
  record Nothing(String why) implements UpstreamDecision {}

  /**
   * An Upstream discovery wants exists but is not discovery's (no discovery label, or discovered
   * from another Service whose name happens to map to the same Upstream name). Discovery never
   * touches it.
   */
  record NotOurs(String namespace, String name, String uid, String why)
      implements UpstreamDecision {}

  /** A decision that writes: an apply or a delete of the Upstream {@code namespace/name}. */
  sealed interface Write extends UpstreamDecision {
    String namespace();

    String name();

    /** The UID of the Upstream written; null when creating it. */
    String uid();

    /**
     * The operation and why, for logs and errors: {@code apply [spec.kube.port is 8080, want 80]}.
     */
    String operation();
  }

  /**
   * Server-side apply discovery's fields.
   *
   * @param resourceVersion the version the decision was made on, sent as a precondition; null to
   *     create
   * @param why the differences that make the write necessary
   */
  record Apply(DesiredUpstream desired, String uid, String resourceVersion, List<String> why)
      implements Write {
    public Apply {
      Objects.requireNonNull(desired, "desired");
      why = List.copyOf(why);
    }

    @Override
    public String namespace() {
      return desired.namespace();
    }

    @Override
    public String name() {
      return desired.name();
    }

    @Override
    public String operation() {
      return "apply " + why;
    }
  }

  /** Delete a discovered Upstream, on condition that it is still at {@code resourceVersion}. */
  record Delete(String namespace, String name, String uid, String resourceVersion, String why)
      implements Write {
    @Override
    public String operation() {
      return "delete [" + why + "]";
    }
  }

  /**
   * The decision for one Upstream name.
   *
   * @param service the Service being reconciled
   * @param desired what discovery wants under this name; null if it wants nothing
   * @param existing the Upstream under this name as it is now; null if there is none
   * @param whyAbsent why {@code desired} is null (for the log of a delete)
   * @param manager discovery's field manager
   */
  static UpstreamDecision decide(
      NamespacedName service,
      DesiredUpstream desired,
      Upstream existing,
      String whyAbsent,
      String manager) {
    if (existing == null) {
      return desired == null
          ? new Nothing("absent")
          : new Apply(desired, null, null, List.of("absent"));
    }
    String namespace = existing.getMetadata().getNamespace();
    String name = existing.getMetadata().getName();
    String uid = existing.getMetadata().getUid();
    if (existing.getMetadata().getDeletionTimestamp() != null) {
      return new Nothing("being deleted");
    }
    Map<String, String> labels =
        existing.getMetadata().getLabels() == null ? Map.of() : existing.getMetadata().getLabels();
    if (!DesiredUpstreams.DISCOVERED_BY_VALUE.equals(
        labels.get(DesiredUpstreams.DISCOVERED_BY_LABEL))) {
      return desired == null
          ? new Nothing("not discovered")
          : new NotOurs(
              namespace,
              name,
              uid,
              "it exists without the label "
                  + DesiredUpstreams.DISCOVERED_BY_LABEL
                  + "="
                  + DesiredUpstreams.DISCOVERED_BY_VALUE);
    }
    String discoveredFrom = labels.get(DesiredUpstreams.SERVICE_LABEL);
    if (!service.name().equals(discoveredFrom)) {
      return desired == null
          ? new Nothing("discovered from another Service")
          : new NotOurs(
              namespace,
              name,
              uid,
              "it was discovered from Service " + namespace + "/" + discoveredFrom);
    }
    if (desired == null) {
      return new Delete(
          namespace, name, uid, existing.getMetadata().getResourceVersion(), whyAbsent);
    }
    List<String> drift = desired.drift(existing, manager);
    return drift.isEmpty()
        ? new Nothing("in sync")
        : new Apply(desired, uid, existing.getMetadata().getResourceVersion(), drift);
  }
}
