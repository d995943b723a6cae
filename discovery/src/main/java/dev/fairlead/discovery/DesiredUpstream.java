package dev.fairlead.discovery;

import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The part of one Upstream that discovery owns, derived from one Service port: its name, two
 * labels, an owner reference to the Service, {@code spec.kube.serviceName}, {@code spec.kube.port}
 * and, when the port's {@code appProtocol} says, {@code spec.protocol}. Every other field of the
 * Upstream belongs to whoever set it.
 *
 * <p>A pure value: {@link #applyConfiguration} and {@link #drift} are functions of their arguments.
 *
 * @param namespace the Service's namespace, which is the Upstream's
 * @param name the Upstream's name (see {@link DesiredUpstreams#upstreamName})
 * @param serviceName the Service's name
 * @param serviceUid the Service's UID, for the owner reference
 * @param port the Service port number ({@code spec.ports[].port})
 * @param protocol derived from the port's {@code appProtocol}; null when discovery leaves the field
 *     alone
 */
public record DesiredUpstream(
    String namespace,
    String name,
    String serviceName,
    String serviceUid,
    int port,
    Protocol protocol) {

  public DesiredUpstream {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(serviceUid, "serviceUid");
  }

  /** The labels discovery puts on the Upstream. */
  public Map<String, String> labels() {
    return Map.of(
        DesiredUpstreams.DISCOVERED_BY_LABEL,
        DesiredUpstreams.DISCOVERED_BY_VALUE,
        DesiredUpstreams.SERVICE_LABEL,
        serviceName);
  }

  /**
   * The owner reference to the Service: not a controller reference, and not blocking the Service's
   * deletion.
   */
  public OwnerReference ownerReference() {
    return new OwnerReferenceBuilder()
        .withApiVersion("v1")
        .withKind("Service")
        .withName(serviceName)
        .withUid(serviceUid)
        .withController(false)
        .withBlockOwnerDeletion(false)
        .build();
  }

  /**
   * The body of a server-side apply holding only discovery's fields, so every field somebody else
   * set survives it.
   *
   * @param resourceVersion the version the decision to apply was made on, sent as a precondition
   *     (the API server answers 409 if the object changed since); null to create or to apply
   *     unconditionally
   */
  public Upstream applyConfiguration(String resourceVersion) {
    Upstream upstream = new Upstream();
    upstream.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace(namespace)
            .withName(name)
            .withResourceVersion(resourceVersion)
            .withLabels(labels())
            .withOwnerReferences(ownerReference())
            .build());
    upstream.setSpec(
        UpstreamSpec.builder()
            .kube(new KubeService(serviceName, null, port))
            .protocol(protocol)
            .build());
    return upstream;
  }

  /**
   * How {@code existing} differs from this in a field discovery owns, one readable line per
   * difference; empty when applying would change nothing. Counts both values that differ and fields
   * discovery applied earlier but no longer wants (which an apply removes). Fields discovery does
   * not own are never compared.
   *
   * @param existing the Upstream as it is now
   * @param manager discovery's field manager, to find the fields it applied earlier
   */
  public List<String> drift(Upstream existing, String manager) {
    List<String> drift = new ArrayList<>();
    ObjectMeta meta = existing.getMetadata();
    Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
    labels()
        .forEach(
            (key, value) -> {
              if (!value.equals(labels.get(key))) {
                drift.add("label " + key + " is " + labels.get(key) + ", want " + value);
              }
            });
    UpstreamSpec spec = existing.getSpec();
    KubeService kube = spec == null ? null : spec.kube();
    if (kube == null) {
      drift.add("spec.kube is not set, want service " + serviceName + " port " + port);
    } else {
      if (!serviceName.equals(kube.serviceName())) {
        drift.add("spec.kube.serviceName is " + kube.serviceName() + ", want " + serviceName);
      }
      if (kube.port() == null || kube.port() != port) {
        drift.add("spec.kube.port is " + kube.port() + ", want " + port);
      }
    }
    Protocol current = spec == null ? null : spec.protocol();
    if (protocol != null && protocol != current) {
      drift.add("spec.protocol is " + current + ", want " + protocol);
    }
    List<OwnerReference> references =
        meta.getOwnerReferences() == null ? List.of() : meta.getOwnerReferences();
    if (references.stream().noneMatch(this::isOwnerReference)) {
      drift.add(
          "no owner reference to Service "
              + namespace
              + "/"
              + serviceName
              + " (uid "
              + serviceUid
              + ")");
    }
    OwnedFields owned = OwnedFields.of(meta, manager);
    Set<String> staleSpec = new HashSet<>(owned.spec());
    staleSpec.removeAll(specPaths());
    if (!staleSpec.isEmpty()) {
      drift.add(
          "spec fields applied earlier and no longer derived "
              + staleSpec.stream().sorted().toList());
    }
    Set<String> staleOwners = new HashSet<>(owned.ownerReferenceUids());
    staleOwners.remove(serviceUid);
    if (!staleOwners.isEmpty()) {
      drift.add("owner references to earlier Services " + staleOwners.stream().sorted().toList());
    }
    Set<String> staleLabels = new HashSet<>(owned.labels());
    staleLabels.removeAll(labels().keySet());
    if (!staleLabels.isEmpty()) {
      drift.add(
          "labels applied earlier and no longer wanted " + staleLabels.stream().sorted().toList());
    }
    return drift;
  }

  /** The paths under {@code spec} that an apply of this sets. */
  private Set<String> specPaths() {
    return protocol == null
        ? Set.of("kube", "kube.serviceName", "kube.port")
        : Set.of("kube", "kube.serviceName", "kube.port", "protocol");
  }

  private boolean isOwnerReference(OwnerReference reference) {
    return serviceUid.equals(reference.getUid())
        && "v1".equals(reference.getApiVersion())
        && "Service".equals(reference.getKind())
        && serviceName.equals(reference.getName())
        && Boolean.FALSE.equals(reference.getController())
        && Boolean.FALSE.equals(reference.getBlockOwnerDeletion());
  }
}
