package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * GatewayClass, Gateway and HTTPRoute status on a real kube-apiserver with the Gateway API v1 CRDs,
 * read back with kubectl: a GatewayClass of Fairlead's accepted at each generation and another
 * controller's never written; the Gateway's conditions and per-listener status (attached routes,
 * conditions, supported kinds), each route's parent entries, another controller's entry left as it
 * is, a proxies' rejection shown and withdrawn, a detached route's entry removed, and no writes at
 * steady state; a GRPCRoute's parent entry, with PartiallyInvalid while rules are dropped.
 */
class GatewayApiStatusRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String OTHER_CONTROLLER = "example.com/other-gateway-controller";
  private static final Condition NOT_ALLOWED =
      new Condition.False(
          "NotAllowedByListeners",
          "spec.parentRefs[0]: the listeners of Gateway gateway-api/public do not allow this route");

  private KubernetesClient user;
  private KubernetesClient reporterClient;
  private SimpleMeterRegistry registry;
  private StatusReporter reporter;
  private final String ns = "gateway-api";

  @BeforeAll
  static void installCrds() {
    Upstreams.installCrd(API_SERVER.client());
    API_SERVER.installGatewayApiCrds();
    API_SERVER.createNamespace("gateway-api");
  }

  @BeforeEach
  void reporter() {
    user = API_SERVER.client();
    reporterClient = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    reporter =
        new StatusReporter(
            reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry);
  }

  @AfterEach
  void stopReporter() {
    reporter.close();
    reporterClient.close();
  }

  @Test
  void gatewayAndRouteStatusesFollowTheGatewayApiAndLeaveOtherControllersAlone() {
    Gateway gateway =
        user.resources(Gateway.class)
            .inNamespace(ns)
            .resource(
                new GatewayBuilder()
                    .withNewMetadata()
                    .withName("public")
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName("fairlead")
                    .addNewListener()
                    .withName("web")
                    .withProtocol("HTTP")
                    .withPort(80)
                    .endListener()
                    .addNewListener()
                    .withName("admin")
                    .withProtocol("HTTP")
                    .withPort(8080)
                    .endListener()
                    .endSpec()
                    .build())
            .create();
    HTTPRoute everywhere = createRoute("everywhere", null);
    HTTPRoute webOnly = createRoute("web-only", "web");
    HTTPRoute refused = createRoute("refused", null);
    HTTPRoute shared = createRoute("shared", null);
    RouteParentStatus theirs =
        new RouteParentStatus(
            List.of(
                new io.fabric8.kubernetes.api.model.Condition(
                    "2024-05-01T12:00:00Z",
                    "attached by the other controller",
                    1L,
                    "Accepted",
                    "True",
                    "Accepted")),
            OTHER_CONTROLLER,
            new ParentReferenceBuilder()
                .withGroup("gateway.networking.k8s.io")
                .withKind("Gateway")
                .withNamespace("mesh")
                .withName("internal")
                .build());
    shared.setStatus(new HTTPRouteStatus(List.of(theirs)));
    user.resources(HTTPRoute.class).inNamespace(ns).resource(shared).updateStatus();

    List<String> both = List.of("web", "admin");
    List<Verdict> verdicts =
        new ArrayList<>(
            List.of(
                Verdicts.accepted("Gateway", gateway),
                Verdicts.route(everywhere, ns, "public", null, Verdicts.ACCEPTED, both),
                Verdicts.route(webOnly, ns, "public", "web", Verdicts.ACCEPTED),
                Verdicts.route(refused, ns, "public", null, NOT_ALLOWED),
                Verdicts.route(shared, ns, "public", null, Verdicts.ACCEPTED, both)));
    reporter.start();
    reporter.report(StatusReport.of(verdicts));

    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("gateway", "public", "{.status.listeners[*].attachedRoutes}")
                    .equals("3 2"));
    assertThat(kubectl("gateway", "public", "{.status.listeners[*].name}")).isEqualTo("web admin");
    assertThat(
            kubectl(
                "gateway", "public", "{.status.conditions[*].type}={.status.conditions[*].status}"))
        .isEqualTo("Accepted Programmed=True True");
    assertThat(kubectl("gateway", "public", "{.status.listeners[0].conditions[*].type}"))
        .isEqualTo("Accepted Conflicted ResolvedRefs Programmed");
    assertThat(
            kubectl(
                "gateway",
                "public",
                "{.status.listeners[1].supportedKinds[0].group}/"
                    + "{.status.listeners[1].supportedKinds[0].kind}"))
        .isEqualTo("gateway.networking.k8s.io/HTTPRoute");
    assertThat(kubectl("gateway", "public", "{.status.conditions[0].observedGeneration}"))
        .isEqualTo("1");

    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("httproute", "refused", "{.status.parents[0].conditions[0].reason}")
                    .equals("NotAllowedByListeners"));
    assertThat(
            kubectl(
                "httproute",
                "web-only",
                "{.status.parents[0].parentRef.sectionName} "
                    + "{.status.parents[0].controllerName} {.status.parents[0].conditions[*].type}"))
        .isEqualTo("web fairlead.dev/gateway-controller Accepted ResolvedRefs");
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("httproute", "shared", "{.status.parents[*].controllerName}")
                    .equals(OTHER_CONTROLLER + " fairlead.dev/gateway-controller"));
    HTTPRoute sharedNow = user.resources(HTTPRoute.class).inNamespace(ns).withName("shared").get();
    assertThat(sharedNow.getStatus().getParents().get(0))
        .as("the other controller's entry, untouched")
        .isEqualTo(theirs);
    assertThat(sharedNow.getStatus().getParents().get(1).getParentRef().getName())
        .isEqualTo("public");

    // Proxies reject the Gateway's listener configuration, then stop rejecting it.
    String gatewayKey = StatusReport.objectKey("Gateway", ns, "public");
    reporter.report(
        new StatusReport(
            verdicts,
            Map.of(),
            Map.of(gatewayKey, new Rejection("listener http-80: unknown filter", 1)),
            StatusReport.GATEWAY_CONTROLLER_NAME));
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl(
                        "gateway",
                        "public",
                        "{.status.conditions[?(@.type==\"Programmed\")].status}")
                    .equals("False"));
    assertThat(
            kubectl("gateway", "public", "{.status.conditions[?(@.type==\"Programmed\")].message}"))
        .isEqualTo("1 proxy rejected it: listener http-80: unknown filter");
    assertThat(
            kubectl(
                "gateway",
                "public",
                "{.status.listeners[*].conditions[?(@.type==\"Programmed\")].reason}"))
        .isEqualTo("Rejected Rejected");
    reporter.report(StatusReport.of(verdicts));
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl(
                        "gateway",
                        "public",
                        "{.status.conditions[?(@.type==\"Programmed\")].status}")
                    .equals("True"));

    // At steady state, a resync writes nothing.
    awaitIdle();
    double writes = writes();
    reporter.resyncAll();
    awaitIdle();
    assertThat(writes()).as("writes after a resync at steady state").isEqualTo(writes);

    // The route leaves the Gateway: its entry goes, and the listener counts follow.
    verdicts.removeIf(v -> v.object().name().equals("web-only"));
    reporter.report(StatusReport.of(verdicts));
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("gateway", "public", "{.status.listeners[*].attachedRoutes}")
                    .equals("2 2"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                user.resources(HTTPRoute.class)
                        .inNamespace(ns)
                        .withName("web-only")
                        .get()
                        .getStatus()
                    == null);
    assertThat(
            user.resources(HTTPRoute.class)
                .inNamespace(ns)
                .withName("shared")
                .get()
                .getStatus()
                .getParents())
        .hasSize(2);
  }

  @Test
  void aGrpcRouteGetsParentStatusLikeAnHttpRouteAndPartiallyInvalidWhileRulesAreDropped() {
    Gateway gateway =
        user.resources(Gateway.class)
            .inNamespace(ns)
            .resource(
                new GatewayBuilder()
                    .withNewMetadata()
                    .withName("grpc-edge")
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName("fairlead")
                    .addNewListener()
                    .withName("grpc")
                    .withProtocol("HTTP")
                    .withPort(9000)
                    .endListener()
                    .endSpec()
                    .build())
            .create();
    GRPCRoute route =
        user.resources(GRPCRoute.class)
            .inNamespace(ns)
            .resource(
                new GRPCRouteBuilder()
                    .withNewMetadata()
                    .withName("store")
                    .endMetadata()
                    .withNewSpec()
                    .addNewParentRef()
                    .withName("grpc-edge")
                    .endParentRef()
                    .addNewRule()
                    .addNewBackendRef()
                    .withName("store")
                    .withPort(9000)
                    .endBackendRef()
                    .endRule()
                    .endSpec()
                    .build())
            .create();
    Verdict partly =
        new Verdict(
            ObjectRef.of("GRPCRoute", route),
            Optional.of(new ParentRef(ns, "grpc-edge", Optional.empty())),
            new Condition.True(
                "Accepted", "attached to listener grpc of Gateway gateway-api/grpc-edge"),
            Verdicts.RESOLVED,
            Optional.of(
                new Condition.True(
                    "UnsupportedValue",
                    "Dropped Rule spec.rules[1]: spec.rules[1].filters[0].type: ExtensionRef is not supported")),
            List.of("grpc"));
    reporter.start();
    reporter.report(StatusReport.of(List.of(Verdicts.accepted("Gateway", gateway), partly)));

    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("grpcroute", "store", "{.status.parents[0].conditions[*].type}")
                    .equals("Accepted ResolvedRefs PartiallyInvalid"));
    assertThat(
            kubectl(
                "grpcroute",
                "store",
                "{.status.parents[0].controllerName} "
                    + "{.status.parents[0].parentRef.name} {.status.parents[0].conditions[2].reason}"))
        .isEqualTo("fairlead.dev/gateway-controller grpc-edge UnsupportedValue");
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("gateway", "grpc-edge", "{.status.listeners[0].attachedRoutes}")
                    .equals("1"));
    assertThat(kubectl("gateway", "grpc-edge", "{.status.listeners[0].supportedKinds[*].kind}"))
        .isEqualTo("HTTPRoute GRPCRoute");

    // Every rule serves again: the condition goes, as the Gateway API asks.
    reporter.report(
        StatusReport.of(
            List.of(
                Verdicts.accepted("Gateway", gateway),
                new Verdict(
                    partly.object(),
                    partly.parent(),
                    partly.accepted(),
                    partly.resolvedRefs(),
                    Optional.empty(),
                    partly.attachedListeners()))));
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl("grpcroute", "store", "{.status.parents[0].conditions[*].type}")
                    .equals("Accepted ResolvedRefs"));
  }

  @Test
  void fairleadsGatewayClassIsAcceptedAtEachGenerationAndAnotherControllersClassIsNeverWritten() {
    GatewayClass ours = createClass("fairlead-reporter-it", "fairlead.dev/gateway-controller");
    GatewayClass theirs = createClass("other-reporter-it", "example.com/other");
    reporter.start();
    // A verdict on the other controller's class too: the reporter refuses to write it all the same.
    reporter.report(
        StatusReport.of(
            List.of(
                Verdicts.gatewayClass(ours, Verdicts.ACCEPTED),
                Verdicts.gatewayClass(theirs, Verdicts.ACCEPTED))));

    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl(
                        "gatewayclass",
                        ours.getMetadata().getName(),
                        "{.status.conditions[*].type}={.status.conditions[*].status}")
                    .equals("Accepted SupportedVersion=True True"));
    assertThat(
            kubectl(
                "gatewayclass",
                ours.getMetadata().getName(),
                "{.status.conditions[*].reason}@{.status.conditions[*].observedGeneration}"))
        .isEqualTo("Accepted SupportedVersion@1 1");

    GatewayClass changed =
        user.resources(GatewayClass.class)
            .withName(ours.getMetadata().getName())
            .edit(
                c ->
                    new GatewayClassBuilder(c)
                        .editSpec()
                        .withDescription("a new generation")
                        .endSpec()
                        .build());
    assertThat(changed.getMetadata().getGeneration()).isEqualTo(2L);
    reporter.report(
        StatusReport.of(
            List.of(
                Verdicts.gatewayClass(changed, Verdicts.ACCEPTED),
                Verdicts.gatewayClass(theirs, Verdicts.ACCEPTED))));
    await()
        .atMost(WAIT)
        .until(
            () ->
                kubectl(
                        "gatewayclass",
                        ours.getMetadata().getName(),
                        "{.status.conditions[*].observedGeneration}")
                    .equals("2 2"));

    awaitIdle();
    GatewayClass theirsNow =
        user.resources(GatewayClass.class).withName(theirs.getMetadata().getName()).get();
    assertThat(theirsNow.getMetadata().getResourceVersion())
        .as("the other controller's class, never written")
        .isEqualTo(theirs.getMetadata().getResourceVersion());
    assertThat(theirsNow.getStatus()).isEqualTo(theirs.getStatus());
    assertThat(Upstreams.count(registry, "fairlead.status.writes", "GatewayClass")).isEqualTo(2.0);
  }

  private GatewayClass createClass(String name, String controllerName) {
    return user.resources(GatewayClass.class)
        .resource(
            new GatewayClassBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .withControllerName(controllerName)
                .endSpec()
                .build())
        .create();
  }

  private HTTPRoute createRoute(String name, String sectionName) {
    return user.resources(HTTPRoute.class)
        .inNamespace(ns)
        .resource(
            new HTTPRouteBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("public")
                .withSectionName(sectionName)
                .endParentRef()
                .addNewRule()
                .addNewBackendRef()
                .withGroup("fairlead.dev")
                .withKind("Upstream")
                .withName("cart")
                .endBackendRef()
                .endRule()
                .endSpec()
                .build())
        .create();
  }

  private String kubectl(String kind, String name, String jsonPath) {
    return API_SERVER
        .kubectl()
        .run("-n", ns, "get", kind, name, "-o", "jsonpath=" + jsonPath)
        .requireSuccess()
        .stdout()
        .trim();
  }

  private void awaitIdle() {
    await().atMost(WAIT).pollDelay(Duration.ofMillis(50)).until(() -> reporter.pendingWork() == 0);
  }

  private double writes() {
    return Upstreams.count(registry, "fairlead.status.writes", "Gateway")
        + Upstreams.count(registry, "fairlead.status.writes", "HTTPRoute");
  }
}
