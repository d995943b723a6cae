package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.verdict.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SupportedFeature;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The desired status of a GatewayClass: Accepted from its verdict, SupportedVersion from the CRDs'
 * version.
 */
class GatewayClassStatusKindTest {

  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");
  private static final GatewayApiVersion SUPPORTED =
      GatewayApiVersion.of(Map.of("gatewayclasses.gateway.networking.k8s.io", "v1.6.3"));
  private static final GatewayApiVersion UNSUPPORTED =
      GatewayApiVersion.of(Map.of("gatewayclasses.gateway.networking.k8s.io", "v2.0.0"));

  @Test
  void anAcceptedClassOfFairleadsIsAcceptedAndSupportedAtItsGeneration() {
    GatewayClass gatewayClass = gatewayClass("fairlead.dev/gateway-controller", 3);

    GatewayClassStatus status =
        desired(
            new GatewayClassStatusKind(() -> SUPPORTED),
            Verdicts.gatewayClass(gatewayClass, Verdicts.ACCEPTED),
            gatewayClass);

    assertThat(status.getConditions())
        .extracting(
            c ->
                c.getType()
                    + "="
                    + c.getStatus()
                    + "/"
                    + c.getReason()
                    + "@"
                    + c.getObservedGeneration())
        .containsExactly("Accepted=True/Accepted@3", "SupportedVersion=True/SupportedVersion@3");
  }

  @Test
  void invalidParametersAndAnUnsupportedVersionSayWhy() {
    GatewayClass gatewayClass = gatewayClass("fairlead.dev/gateway-controller", 1);
    Condition invalid =
        new Condition.False("InvalidParameters", "spec.parametersRef: not supported");

    GatewayClassStatus status =
        desired(
            new GatewayClassStatusKind(() -> UNSUPPORTED),
            Verdicts.gatewayClass(gatewayClass, invalid),
            gatewayClass);

    assertThat(status.getConditions())
        .extracting(
            c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
        .containsExactly(
            "Accepted=False/InvalidParameters: spec.parametersRef: not supported",
            "SupportedVersion=False/UnsupportedVersion: " + UNSUPPORTED.message());
  }

  @Test
  void theDefaultWaitingConditionIsReplacedAndSupportedFeaturesStay() {
    GatewayClass gatewayClass = gatewayClass("fairlead.dev/gateway-controller", 1);
    gatewayClass.setStatus(
        new GatewayClassStatus(
            List.of(
                new io.fabric8.kubernetes.api.model.Condition(
                    "1970-01-01T00:00:00Z",
                    "Waiting for controller",
                    null,
                    "Pending",
                    "Unknown",
                    "Accepted")),
            List.of(new SupportedFeature("HTTPRoute"))));

    GatewayClassStatus status =
        desired(
            new GatewayClassStatusKind(() -> SUPPORTED),
            Verdicts.gatewayClass(gatewayClass, Verdicts.ACCEPTED),
            gatewayClass);

    assertThat(status.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2030-01-01T10:00:00Z");
    assertThat(status.getSupportedFeatures()).containsExactly(new SupportedFeature("HTTPRoute"));
  }

  @Test
  void anUnchangedStatusComputesEqual() {
    GatewayClassStatusKind kind = new GatewayClassStatusKind(() -> SUPPORTED);
    GatewayClass gatewayClass = gatewayClass("fairlead.dev/gateway-controller", 1);
    StatusReport report =
        StatusReport.of(List.of(Verdicts.gatewayClass(gatewayClass, Verdicts.ACCEPTED)));
    gatewayClass.setStatus(
        kind.desired(ReportIndex.of(report).about(key(gatewayClass)), gatewayClass, NOW)
            .orElseThrow());

    assertThat(
            kind.desired(
                ReportIndex.of(report).about(key(gatewayClass)), gatewayClass, NOW.plusSeconds(60)))
        .contains(gatewayClass.getStatus());
  }

  @Test
  void theVersionIsReadOnceAndOnlyForAClassOfFairleads() {
    java.util.concurrent.atomic.AtomicInteger reads =
        new java.util.concurrent.atomic.AtomicInteger();
    GatewayClassStatusKind kind =
        new GatewayClassStatusKind(
            () -> {
              reads.incrementAndGet();
              return SUPPORTED;
            });
    GatewayClass ours = gatewayClass("fairlead.dev/gateway-controller", 1);
    ObjectReport report =
        ReportIndex.of(StatusReport.of(List.of(Verdicts.gatewayClass(ours, Verdicts.ACCEPTED))))
            .about(key(ours));

    assertThat(kind.desired(ReportIndex.of(StatusReport.of(List.of())).about(key(ours)), ours, NOW))
        .isEmpty();
    assertThat(reads).hasValue(0);
    kind.desired(report, ours, NOW);
    kind.desired(report, ours, NOW);
    assertThat(reads).hasValue(1);
  }

  @Test
  void anotherControllersClassIsNeverWrittenEvenWithAVerdictAndAClassWithoutVerdictIsLeftAlone() {
    GatewayClassStatusKind kind = new GatewayClassStatusKind(() -> SUPPORTED);
    GatewayClass theirs = gatewayClass("example.com/other", 1);
    GatewayClass ours = gatewayClass("fairlead.dev/gateway-controller", 1);

    assertThat(
            kind.desired(
                ReportIndex.of(
                        StatusReport.of(List.of(Verdicts.gatewayClass(theirs, Verdicts.ACCEPTED))))
                    .about(key(theirs)),
                theirs,
                NOW))
        .isEmpty();
    assertThat(kind.desired(ReportIndex.of(StatusReport.of(List.of())).about(key(ours)), ours, NOW))
        .isEmpty();
  }

  private static GatewayClassStatus desired(
      GatewayClassStatusKind kind,
      dev.fairlead.api.verdict.Verdict verdict,
      GatewayClass gatewayClass) {
    return kind.desired(
            ReportIndex.of(StatusReport.of(List.of(verdict))).about(key(gatewayClass)),
            gatewayClass,
            NOW)
        .orElseThrow();
  }

  private static ObjectKey key(GatewayClass gatewayClass) {
    return ObjectKey.of("GatewayClass", gatewayClass);
  }

  static GatewayClass gatewayClass(String controllerName, long generation) {
    return new GatewayClassBuilder()
        .withNewMetadata()
        .withName("fairlead")
        .withUid("class-uid")
        .withGeneration(generation)
        .endMetadata()
        .withNewSpec()
        .withControllerName(controllerName)
        .endSpec()
        .build();
  }
}
