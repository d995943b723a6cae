package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.CircuitBreakers;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The decide half of the reconciler: what to write for one Upstream name, without a cluster. */
class UpstreamDecisionTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final String MANAGER = UpstreamReconciler.FIELD_MANAGER;
  private static final NamespacedName WEB = new NamespacedName("shop", "web");
  private static final DesiredUpstream HTTP =
      new DesiredUpstream("shop", "web-http", "web", "uid-web", 80, null);
  private static final DesiredUpstream GRPC =
      new DesiredUpstream("shop", "web-http", "web", "uid-web", 80, Protocol.GRPC);

  @Test
  void anAbsentUpstreamIsCreatedWithoutPrecondition() {
    UpstreamDecision decision = decide(HTTP, null);

    assertThat(decision).isEqualTo(new UpstreamDecision.Apply(HTTP, null, null, List.of("absent")));
    assertThat(decide(null, null)).isInstanceOf(UpstreamDecision.Nothing.class);
  }

  @Test
  void anUpstreamAsDiscoveryAppliedItIsInSync() {
    assertThat(decide(HTTP, applied(HTTP))).isEqualTo(new UpstreamDecision.Nothing("in sync"));
    assertThat(decide(GRPC, applied(GRPC))).isEqualTo(new UpstreamDecision.Nothing("in sync"));
  }

  @Test
  void fieldsOthersOwnAreNeverCompared() {
    Upstream tuned = applied(HTTP);
    tuned.setSpec(
        UpstreamSpec.builder()
            .kube(new KubeService("web", "shop", 80))
            .connectTimeout("2s")
            .circuitBreakers(new CircuitBreakers(10, 10, 10, 1))
            .protocol(Protocol.HTTP2)
            .build());
    tuned.getMetadata().getLabels().put("team", "payments");

    assertThat(decide(HTTP, tuned)).isEqualTo(new UpstreamDecision.Nothing("in sync"));
  }

  @Test
  void aChangedOwnedFieldIsAppliedOnTheVersionItWasSeenAt() {
    Upstream moved = applied(HTTP);
    moved.setSpec(UpstreamSpec.builder().kube(new KubeService("web", null, 8080)).build());

    UpstreamDecision decision = decide(HTTP, moved);

    assertThat(decision)
        .isInstanceOfSatisfying(
            UpstreamDecision.Apply.class,
            apply -> {
              assertThat(apply.resourceVersion()).isEqualTo("7");
              assertThat(apply.uid()).isEqualTo("uid-upstream");
              assertThat(apply.why()).containsExactly("spec.kube.port is 8080, want 80");
            });
    assertThat(decide(GRPC, applied(HTTP)))
        .isInstanceOfSatisfying(
            UpstreamDecision.Apply.class,
            apply -> assertThat(apply.why()).containsExactly("spec.protocol is null, want GRPC"));
  }

  @Test
  void aProtocolDiscoveryAppliedIsRemovedWhenTheAppProtocolGoes() {
    assertThat(decide(HTTP, applied(GRPC)))
        .isInstanceOfSatisfying(
            UpstreamDecision.Apply.class,
            apply ->
                assertThat(apply.why())
                    .containsExactly(
                        "spec fields applied earlier and no longer derived [protocol]"));
  }

  @Test
  void aProtocolSomebodyElseSetStays() {
    Upstream userProtocol = applied(HTTP);
    userProtocol.setSpec(
        UpstreamSpec.builder()
            .kube(new KubeService("web", null, 80))
            .protocol(Protocol.HTTP2)
            .build());

    assertThat(decide(HTTP, userProtocol)).isEqualTo(new UpstreamDecision.Nothing("in sync"));
  }

  @Test
  void aRecreatedServiceMovesTheOwnerReference() {
    DesiredUpstream recreated =
        new DesiredUpstream("shop", "web-http", "web", "uid-web-2", 80, null);

    assertThat(decide(recreated, applied(HTTP)))
        .isInstanceOfSatisfying(
            UpstreamDecision.Apply.class,
            apply ->
                assertThat(apply.why())
                    .containsExactly(
                        "no owner reference to Service shop/web (uid uid-web-2)",
                        "owner references to earlier Services [uid-web]"));
  }

  @Test
  void anOwnerReferenceTurnedIntoAControllerIsPutBack() {
    Upstream edited = applied(HTTP);
    edited.getMetadata().getOwnerReferences().get(0).setController(true);

    assertThat(decide(HTTP, edited)).isInstanceOf(UpstreamDecision.Apply.class);
  }

  @Test
  void anUpstreamWithoutTheDiscoveryLabelIsNeverTouched() {
    Upstream users = applied(HTTP);
    users.getMetadata().getLabels().remove(DesiredUpstreams.DISCOVERED_BY_LABEL);

    assertThat(decide(HTTP, users))
        .isEqualTo(
            new UpstreamDecision.NotOurs(
                "shop",
                "web-http",
                "uid-upstream",
                "it exists without the label fairlead.dev/discovered-by=discovery"));
    assertThat(decide(null, users)).isInstanceOf(UpstreamDecision.Nothing.class);
  }

  @Test
  void anUpstreamDiscoveredFromAnotherServiceIsNotTakenOver() {
    Upstream other = applied(HTTP);
    other.getMetadata().getLabels().put(DesiredUpstreams.SERVICE_LABEL, "web-http-other");

    assertThat(decide(HTTP, other)).isInstanceOf(UpstreamDecision.NotOurs.class);
    assertThat(decide(null, other)).isInstanceOf(UpstreamDecision.Nothing.class);
  }

  @Test
  void anUpstreamNoLongerWantedIsDeletedOnTheVersionItWasSeenAt() {
    assertThat(decide(null, applied(HTTP)))
        .isEqualTo(new UpstreamDecision.Delete("shop", "web-http", "uid-upstream", "7", "gone"));
  }

  @Test
  void anUpstreamBeingDeletedIsLeftToFinish() {
    Upstream deleting = applied(HTTP);
    deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");

    assertThat(decide(HTTP, deleting)).isEqualTo(new UpstreamDecision.Nothing("being deleted"));
    assertThat(decide(null, deleting)).isEqualTo(new UpstreamDecision.Nothing("being deleted"));
  }

  private static UpstreamDecision decide(DesiredUpstream desired, Upstream existing) {
    return UpstreamDecision.decide(WEB, desired, existing, "gone", MANAGER);
  }

  /** The Upstream as the API server holds it right after discovery applied {@code desired}. */
  static Upstream applied(DesiredUpstream desired) {
    Upstream upstream = JSON.clone(desired.applyConfiguration(null));
    upstream.getMetadata().setUid("uid-upstream");
    upstream.getMetadata().setResourceVersion("7");
    upstream.getMetadata().setLabels(new HashMap<>(upstream.getMetadata().getLabels()));
    Map<String, Object> spec = new HashMap<>();
    spec.put("f:kube", Map.of("f:serviceName", Map.of(), "f:port", Map.of()));
    if (desired.protocol() != null) {
      spec.put("f:protocol", Map.of());
    }
    Map<String, Object> fields =
        Map.of(
            "f:metadata",
            Map.of(
                "f:labels",
                    Map.of(
                        "f:fairlead.dev/discovered-by",
                        Map.of(),
                        "f:fairlead.dev/service",
                        Map.of()),
                "f:ownerReferences",
                    Map.of("k:{\"uid\":\"" + desired.serviceUid() + "\"}", Map.of(".", Map.of()))),
            "f:spec",
            spec);
    FieldsV1 fieldsV1 = new FieldsV1();
    fields.forEach(fieldsV1::setAdditionalProperty);
    List<ManagedFieldsEntry> managed = new ArrayList<>();
    managed.add(
        new ManagedFieldsEntryBuilder()
            .withManager(MANAGER)
            .withOperation("Apply")
            .withApiVersion("fairlead.dev/v1alpha1")
            .withFieldsType("FieldsV1")
            .withFieldsV1(fieldsV1)
            .build());
    managed.add(
        new ManagedFieldsEntryBuilder()
            .withManager("kubectl-edit")
            .withOperation("Update")
            .withApiVersion("fairlead.dev/v1alpha1")
            .withFieldsType("FieldsV1")
            .withFieldsV1(new FieldsV1())
            .build());
    upstream.getMetadata().setManagedFields(managed);
    return upstream;
  }
}
