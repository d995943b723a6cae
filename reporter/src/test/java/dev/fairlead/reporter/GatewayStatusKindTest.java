package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ListenerVerdict;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddressBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The desired status of a Gateway: its conditions and its listeners' attached routes, conditions
 * and kinds.
 */
class GatewayStatusKindTest {

  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");
  private static final Condition NOT_ALLOWED =
      new Condition.False(
          "NotAllowedByListeners",
          "spec.parentRefs[0]: the listeners of Gateway edge/public do not allow routes from namespace shop");

  private final GatewayStatusKind kind = new GatewayStatusKind();

  @Test
  void listenersCountTheAcceptedRoutesAttachedToThem() {
    Gateway gateway = gateway("gw-uid", "web", "admin");
    HTTPRoute everywhere = route("everywhere");
    HTTPRoute webOnly = route("web-only");
    HTTPRoute adminTwice = route("admin-twice");
    HTTPRoute adminByHostname = route("admin-by-hostname");
    HTTPRoute refused = route("refused");
    HTTPRoute elsewhere = route("elsewhere");
    List<String> both = List.of("web", "admin");
    StatusReport report =
        StatusReport.of(
            List.of(
                Verdicts.accepted("Gateway", gateway),
                Verdicts.route(everywhere, "edge", "public", null, Verdicts.ACCEPTED, both),
                Verdicts.route(webOnly, "edge", "public", "web", Verdicts.ACCEPTED),
                Verdicts.route(adminTwice, "edge", "public", "admin", Verdicts.ACCEPTED),
                Verdicts.route(adminTwice, "edge", "public", null, Verdicts.ACCEPTED, both),
                // No sectionName, but only the admin listener's hostname is one of the route's.
                Verdicts.route(
                    adminByHostname, "edge", "public", null, Verdicts.ACCEPTED, List.of("admin")),
                Verdicts.route(refused, "edge", "public", null, NOT_ALLOWED),
                Verdicts.route(elsewhere, "edge", "private", null, Verdicts.ACCEPTED, both)));

    GatewayStatus status = desired(report, gateway);

    assertThat(status.getListeners())
        .extracting(ListenerStatus::getName, ListenerStatus::getAttachedRoutes)
        .containsExactly(tuple("web", 3), tuple("admin", 3));
    assertThat(status.getListeners())
        .allSatisfy(
            listener -> {
              assertThat(listener.getSupportedKinds())
                  .containsExactly(
                      new RouteGroupKind("gateway.networking.k8s.io", "HTTPRoute"),
                      new RouteGroupKind("gateway.networking.k8s.io", "GRPCRoute"));
              assertThat(listener.getConditions())
                  .extracting(c -> c.getType() + "=" + c.getStatus())
                  .containsExactly(
                      "Accepted=True", "Conflicted=False", "ResolvedRefs=True", "Programmed=True");
            });
    assertThat(status.getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Accepted=True/Accepted", "Programmed=True/Programmed");
  }

  @Test
  void theStatusPatchKeepsAnEmptySupportedKindsWhichTheSchemaRequires() {
    Map<String, Object> json =
        new LinkedHashMap<>(
            Map.of(
                "listeners",
                List.of(
                    Map.of("name", "tls-only", "attachedRoutes", 0),
                    Map.of(
                        "name",
                        "web",
                        "attachedRoutes",
                        1,
                        "supportedKinds",
                        List.of(
                            Map.of("group", "gateway.networking.k8s.io", "kind", "HTTPRoute"))))));

    Map<String, Object> patched = kind.patchValue(json);

    assertThat(patched.get("listeners"))
        .isEqualTo(
            List.of(
                Map.of("name", "tls-only", "attachedRoutes", 0, "supportedKinds", List.of()),
                Map.of(
                    "name",
                    "web",
                    "attachedRoutes",
                    1,
                    "supportedKinds",
                    List.of(Map.of("group", "gateway.networking.k8s.io", "kind", "HTTPRoute")))));
  }

  @Test
  void aRejectedGatewayIsNotProgrammedOnAnyListener() {
    Gateway gateway = gateway("gw-uid", "web");
    StatusReport report =
        new StatusReport(
            List.of(Verdicts.accepted("Gateway", gateway)),
            Map.of(),
            Map.of(
                StatusReport.objectKey("Gateway", "edge", "public"),
                new Rejection("listener http-80: bad filter", 1)),
            StatusReport.GATEWAY_CONTROLLER_NAME);

    GatewayStatus status = desired(report, gateway);

    assertThat(status.getConditions().get(1).getStatus()).isEqualTo("False");
    assertThat(status.getConditions().get(1).getMessage())
        .isEqualTo("1 proxy rejected it: listener http-80: bad filter");
    assertThat(status.getListeners().get(0).getConditions().get(3).getReason())
        .isEqualTo("Rejected");
  }

  @Test
  void theProxiesOfEveryReplicaAreCountedOnTheGatewayAndItsProgrammedListeners() {
    Gateway gateway = gateway("gw-uid", "web");
    String key = StatusReport.objectKey("Gateway", "edge", "public");
    StatusReport report =
        new StatusReport(
            List.of(Verdicts.accepted("Gateway", gateway)),
            Map.of(),
            Map.of(key, new Rejection("listener http-80: cannot bind", 1)),
            StatusReport.GATEWAY_CONTROLLER_NAME,
            Map.of(),
            Map.of(key, new ProxyTally(2, 1, 1)));

    GatewayStatus status = desired(report, gateway);

    String message =
        "1 of 2 proxies holds its current configuration; 1 rejected it: listener http-80: cannot bind";
    assertThat(status.getConditions().get(1).getMessage()).isEqualTo(message);
    assertThat(status.getListeners().get(0).getConditions().get(3).getMessage()).isEqualTo(message);
  }

  @Test
  void eachListenerCarriesItsOwnVerdictAndOneWaitingForItsCertificateStillCountsItsRoutes() {
    Gateway gateway = gateway("gw-uid", "web", "secure", "raw");
    HTTPRoute everywhere = route("everywhere");
    HTTPRoute secureOnly = route("secure-only");
    Condition missing =
        new Condition.False(
            "InvalidCertificateRef",
            "spec.listeners[1] (secure).tls.certificateRefs[0]: Secret edge/cert of type kubernetes.io/tls not found");
    Condition tcp =
        new Condition.False(
            "UnsupportedProtocol",
            "spec.listeners[2] (raw).protocol: unsupported value TCP, only HTTP and HTTPS are supported");
    Verdict verdict =
        new Verdict(
            ObjectRef.of("Gateway", gateway),
            Optional.empty(),
            new Condition.True(
                "ListenersNotValid", "programmed listener web (port 80); left out: …"),
            missing,
            List.of(
                Verdicts.listener("web", true),
                new ListenerVerdict(
                    "secure",
                    Verdicts.listener("secure", false).accepted(),
                    Verdicts.listener("secure", false).conflicted(),
                    missing,
                    false,
                    List.of("gateway.networking.k8s.io/HTTPRoute")),
                new ListenerVerdict(
                    "raw",
                    tcp,
                    Verdicts.listener("raw", false).conflicted(),
                    Verdicts.RESOLVED,
                    false,
                    List.of())));
    StatusReport report =
        StatusReport.of(
            List.of(
                verdict,
                Verdicts.route(
                    everywhere,
                    "edge",
                    "public",
                    null,
                    Verdicts.ACCEPTED,
                    List.of("web", "secure")),
                Verdicts.route(secureOnly, "edge", "public", "secure", Verdicts.ACCEPTED)));

    GatewayStatus status = desired(report, gateway);

    assertThat(status.getListeners())
        .extracting(ListenerStatus::getName, ListenerStatus::getAttachedRoutes)
        .containsExactly(tuple("web", 1), tuple("secure", 2), tuple("raw", 0));
    assertThat(status.getListeners().get(1).getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly(
            "Accepted=True/Accepted",
            "Conflicted=False/NoConflicts",
            "ResolvedRefs=False/InvalidCertificateRef",
            "Programmed=False/Invalid");
    assertThat(status.getListeners().get(1).getConditions().get(3).getMessage())
        .isEqualTo("not programmed: " + missing.message());
    assertThat(status.getListeners().get(2).getConditions().get(0).getReason())
        .isEqualTo("UnsupportedProtocol");
    assertThat(status.getListeners().get(2).getSupportedKinds()).isEmpty();
    assertThat(status.getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Accepted=True/ListenersNotValid", "Programmed=True/Programmed");
  }

  @Test
  void addressesWrittenBySomeoneElseStayAndTheDefaultPendingConditionsAreReplaced() {
    Gateway gateway = gateway("gw-uid", "web");
    gateway.setStatus(
        new GatewayStatus(
            List.of(
                new GatewayStatusAddressBuilder()
                    .withType("IPAddress")
                    .withValue("10.0.0.1")
                    .build()),
            null,
            List.of(
                new io.fabric8.kubernetes.api.model.Condition(
                    "1970-01-01T00:00:00Z",
                    "Waiting for controller",
                    null,
                    "Pending",
                    "Unknown",
                    "Accepted")),
            List.of()));

    GatewayStatus status =
        desired(StatusReport.of(List.of(Verdicts.accepted("Gateway", gateway))), gateway);

    assertThat(status.getAddresses())
        .singleElement()
        .satisfies(a -> assertThat(a.getValue()).isEqualTo("10.0.0.1"));
    assertThat(status.getConditions().get(0).getStatus()).isEqualTo("True");
    assertThat(status.getConditions().get(0).getLastTransitionTime())
        .isEqualTo("2030-01-01T10:00:00Z");
  }

  @Test
  void theFleetsAddressesReplaceTheExistingOnesAndItsPendingInfrastructureIsNotProgrammed() {
    Gateway gateway = gateway("gw-uid", "web");
    gateway.setStatus(
        new GatewayStatus(
            List.of(
                new GatewayStatusAddressBuilder()
                    .withType("IPAddress")
                    .withValue("10.0.0.1")
                    .build()),
            null,
            List.of(),
            List.of()));
    FleetStatus pending =
        new FleetStatus(
            List.of(new FleetStatus.Address("Hostname", "lb.example.com")),
            Optional.of(
                new FleetStatus.NotProgrammed(
                    "Pending",
                    "the Envoy Deployment edge/fairlead-public has no available replica yet")));
    FleetStatus ready = new FleetStatus(pending.addresses(), Optional.empty());

    GatewayStatus whilePending = desired(fleetReport(gateway, pending), gateway);
    GatewayStatus onceReady = desired(fleetReport(gateway, ready), gateway);

    assertThat(whilePending.getAddresses())
        .extracting(a -> a.getType() + " " + a.getValue())
        .containsExactly("Hostname lb.example.com");
    assertThat(whilePending.getConditions())
        .extracting(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .containsExactly("Accepted=True/Accepted", "Programmed=False/Pending");
    assertThat(whilePending.getConditions().get(1).getMessage())
        .isEqualTo("the Envoy Deployment edge/fairlead-public has no available replica yet");
    assertThat(whilePending.getListeners().get(0).getConditions())
        .filteredOn(c -> c.getType().equals("Programmed"))
        .extracting(c -> c.getReason())
        .containsExactly("Pending");
    assertThat(onceReady.getConditions().get(1).getReason()).isEqualTo("Programmed");
  }

  @Test
  void proxiesRejectingTheGatewaySayMoreThanItsPendingInfrastructure() {
    Gateway gateway = gateway("gw-uid", "web");
    FleetStatus pending =
        new FleetStatus(
            List.of(), Optional.of(new FleetStatus.NotProgrammed("Pending", "not yet")));
    StatusReport report =
        new StatusReport(
            List.of(Verdicts.accepted("Gateway", gateway)),
            Map.of(),
            Map.of(
                StatusReport.objectKey("Gateway", "edge", "public"),
                new Rejection("listener http-80: bad filter", 1)),
            StatusReport.GATEWAY_CONTROLLER_NAME,
            Map.of("edge/public", pending));

    assertThat(desired(report, gateway).getConditions().get(1).getReason()).isEqualTo("Rejected");
  }

  @Test
  void anUnchangedStatusComputesEqualAndAGatewayWithoutVerdictIsLeftAlone() {
    Gateway gateway = gateway("gw-uid", "web");
    StatusReport report = StatusReport.of(List.of(Verdicts.accepted("Gateway", gateway)));
    gateway.setStatus(desired(report, gateway));

    assertThat(
            kind.desired(ReportIndex.of(report).about(key(gateway)), gateway, NOW.plusSeconds(60)))
        .contains(gateway.getStatus());
    assertThat(
            kind.desired(
                ReportIndex.of(StatusReport.of(List.of())).about(key(gateway)), gateway, NOW))
        .isEmpty();
  }

  private static StatusReport fleetReport(Gateway gateway, FleetStatus fleet) {
    return new StatusReport(
        List.of(Verdicts.accepted("Gateway", gateway)),
        Map.of(),
        Map.of(),
        StatusReport.GATEWAY_CONTROLLER_NAME,
        Map.of("edge/public", fleet));
  }

  private GatewayStatus desired(StatusReport report, Gateway gateway) {
    return kind.desired(ReportIndex.of(report).about(key(gateway)), gateway, NOW).orElseThrow();
  }

  private static ObjectKey key(Gateway gateway) {
    return ObjectKey.of("Gateway", gateway);
  }

  static Gateway gateway(String uid, String... listeners) {
    GatewayBuilder builder =
        new GatewayBuilder()
            .withNewMetadata()
            .withNamespace("edge")
            .withName("public")
            .withUid(uid)
            .withGeneration(1L)
            .endMetadata()
            .withNewSpec()
            .withGatewayClassName("fairlead")
            .endSpec();
    for (String listener : listeners) {
      builder
          .editSpec()
          .addNewListener()
          .withName(listener)
          .withProtocol("HTTP")
          .withPort(80)
          .endListener()
          .endSpec();
    }
    return builder.build();
  }

  static HTTPRoute route(String name) {
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .withUid(name + "-uid")
        .withGeneration(1L)
        .endMetadata()
        .build();
  }
}
