package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.verdict.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The desired status of an HTTPRoute: Fairlead's parent entries, merged with other controllers' by
 * name.
 */
class HTTPRouteStatusKindTest {

  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");
  private static final String OTHER = "example.com/other-controller";

  private final RouteStatusKind<HTTPRoute, HTTPRouteStatus> kind = RouteStatusKind.HTTP_ROUTE;

  @Test
  void oneParentEntryPerVerdictWithTheParentRefAsTheSpecSpellsIt() {
    HTTPRoute route = route(ref(null, "public", "web", 8080), ref("edge", "private", null, null));
    StatusReport report =
        StatusReport.of(
            List.of(
                Verdicts.route(route, "shop", "public", "web", Verdicts.ACCEPTED),
                Verdicts.route(
                    route,
                    "edge",
                    "private",
                    null,
                    new Condition.False(
                        "NoMatchingParent",
                        "spec.parentRefs[1]: Gateway edge/private not found"))));

    HTTPRouteStatus status = desired(report, route).orElseThrow();

    assertThat(status.getParents())
        .extracting(RouteParentStatus::getParentRef)
        .containsExactly(ref("edge", "private", null, null), ref(null, "public", "web", 8080));
    assertThat(status.getParents())
        .allSatisfy(
            p -> {
              assertThat(p.getControllerName()).isEqualTo("fairlead.dev/gateway-controller");
              assertThat(p.getConditions())
                  .extracting(c -> c.getType())
                  .containsExactly("Accepted", "ResolvedRefs");
            });
    assertThat(status.getParents().get(0).getConditions().get(0).getReason())
        .isEqualTo("NoMatchingParent");
  }

  @Test
  void entriesOfOtherControllersStayAsTheyAreAndStaleEntriesOfOursGo() {
    HTTPRoute route = route(ref(null, "public", null, null));
    RouteParentStatus others =
        new RouteParentStatus(
            List.of(
                new io.fabric8.kubernetes.api.model.Condition(
                    "2029-01-01T00:00:00Z", "theirs", 4L, "Accepted", "True", "Accepted")),
            OTHER,
            ref("mesh", "theirs", null, null));
    RouteParentStatus staleOfOurs =
        new RouteParentStatus(
            List.of(), "fairlead.dev/gateway-controller", ref(null, "removed", null, null));
    route.setStatus(new HTTPRouteStatus(List.of(staleOfOurs, others)));

    HTTPRouteStatus status =
        desired(
                StatusReport.of(
                    List.of(Verdicts.route(route, "shop", "public", null, Verdicts.ACCEPTED))),
                route)
            .orElseThrow();

    assertThat(status.getParents()).hasSize(2);
    assertThat(status.getParents().get(0)).isSameAs(others);
    assertThat(status.getParents().get(1).getParentRef())
        .isEqualTo(ref(null, "public", null, null));
  }

  @Test
  void withoutVerdictsOurEntriesAreRemovedAndARouteWithNoneOfOursIsLeftAlone() {
    HTTPRoute route = route(ref(null, "public", null, null));
    StatusReport withVerdict =
        StatusReport.of(List.of(Verdicts.route(route, "shop", "public", null, Verdicts.ACCEPTED)));
    route.setStatus(desired(withVerdict, route).orElseThrow());

    HTTPRouteStatus withoutOurs = desired(StatusReport.of(List.of()), route).orElseThrow();

    assertThat(withoutOurs.getParents()).isEmpty();
    assertThat(kind.comparable(withoutOurs)).isEqualTo(kind.comparable(null));
    assertThat(kind.withStatus(route, withoutOurs).getStatus()).isNull();
    route.setStatus(null);
    assertThat(desired(StatusReport.of(List.of()), route)).isEmpty();
  }

  @Test
  void anUnchangedStatusComputesEqual() {
    HTTPRoute route = route(ref(null, "public", null, null));
    StatusReport report =
        StatusReport.of(List.of(Verdicts.route(route, "shop", "public", null, Verdicts.ACCEPTED)));
    route.setStatus(desired(report, route).orElseThrow());

    assertThat(
            kind.desired(
                ReportIndex.of(report).about(ObjectKey.of("HTTPRoute", route)),
                route,
                NOW.plusSeconds(3600)))
        .contains(route.getStatus());
  }

  @Test
  void aNewControllerNameIsWhatOurEntriesAreWrittenUnder() {
    HTTPRoute route = route(ref(null, "public", null, null));
    StatusReport report =
        new StatusReport(
            List.of(Verdicts.route(route, "shop", "public", null, Verdicts.ACCEPTED)),
            java.util.Map.of(),
            java.util.Map.of(),
            "example.org/fairlead-canary");

    assertThat(desired(report, route).orElseThrow().getParents())
        .singleElement()
        .satisfies(p -> assertThat(p.getControllerName()).isEqualTo("example.org/fairlead-canary"));
  }

  private Optional<HTTPRouteStatus> desired(StatusReport report, HTTPRoute route) {
    return kind.desired(ReportIndex.of(report).about(ObjectKey.of("HTTPRoute", route)), route, NOW);
  }

  private static HTTPRoute route(ParentReference... parentRefs) {
    return new HTTPRouteBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName("cart")
        .withUid("route-uid")
        .withGeneration(2L)
        .endMetadata()
        .withNewSpec()
        .withParentRefs(parentRefs)
        .endSpec()
        .build();
  }

  private static ParentReference ref(
      String namespace, String name, String sectionName, Integer port) {
    return new ParentReferenceBuilder()
        .withGroup("gateway.networking.k8s.io")
        .withKind("Gateway")
        .withNamespace(namespace)
        .withName(name)
        .withSectionName(sectionName)
        .withPort(port)
        .build();
  }
}
