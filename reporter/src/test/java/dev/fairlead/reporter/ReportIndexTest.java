package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which objects a new report wakes: exactly those it says something different about. */
class ReportIndexTest {

  private final Upstream cart = UpstreamStatusKindTest.upstream("cart-uid", 1);
  private final Gateway gateway = GatewayStatusKindTest.gateway("gw-uid", "web");
  private final HTTPRoute route = GatewayStatusKindTest.route("shop-route");

  @Test
  void theSameReportAgainChangesNothing() {
    StatusReport report =
        report(
            List.of(
                Verdicts.accepted("Upstream", cart),
                Verdicts.accepted("Gateway", gateway),
                routeVerdict()),
            Map.of("shop/cart", 3),
            Map.of());

    assertThat(ReportIndex.of(report).changedSince(ReportIndex.of(report))).isEmpty();
  }

  @Test
  void onlyTheObjectsAReportChangesAreWoken() {
    StatusReport before =
        report(
            List.of(
                Verdicts.accepted("Upstream", cart),
                Verdicts.accepted("Gateway", gateway),
                routeVerdict()),
            Map.of("shop/cart", 3),
            Map.of());
    StatusReport endpoints = report(before.verdicts(), Map.of("shop/cart", 4), Map.of());
    StatusReport routeGone =
        report(
            List.of(Verdicts.accepted("Upstream", cart), Verdicts.accepted("Gateway", gateway)),
            Map.of("shop/cart", 3),
            Map.of());
    StatusReport rejected =
        report(
            before.verdicts(),
            Map.of("shop/cart", 3),
            Map.of("Upstream shop/cart", new Rejection("bad cluster", 2)));

    assertThat(ReportIndex.of(endpoints).changedSince(ReportIndex.of(before)))
        .containsExactly(new ObjectKey("Upstream", "shop", "cart"));
    // The route's verdict went, and with it the Gateway's attached route.
    assertThat(ReportIndex.of(routeGone).changedSince(ReportIndex.of(before)))
        .containsExactlyInAnyOrder(
            new ObjectKey("HTTPRoute", "shop", "shop-route"),
            new ObjectKey("Gateway", "edge", "public"));
    assertThat(ReportIndex.of(rejected).changedSince(ReportIndex.of(before)))
        .containsExactly(new ObjectKey("Upstream", "shop", "cart"));
  }

  @Test
  void aNewUidIsAChangeEvenWhenEverythingElseIsTheSame() {
    Upstream recreated = UpstreamStatusKindTest.upstream("cart-uid-2", 1);

    assertThat(
            ReportIndex.of(StatusReport.of(List.of(Verdicts.accepted("Upstream", recreated))))
                .changedSince(
                    ReportIndex.of(StatusReport.of(List.of(Verdicts.accepted("Upstream", cart))))))
        .containsExactly(new ObjectKey("Upstream", "shop", "cart"));
  }

  @Test
  void aDifferentControllerNameCannotBeListedByObject() {
    ReportIndex ours = ReportIndex.of(StatusReport.of(List.of()));
    ReportIndex other =
        ReportIndex.of(new StatusReport(List.of(), Map.of(), Map.of(), "example.com/other"));

    assertThat(other.comparableWith(ours)).isFalse();
    assertThat(ours.comparableWith(ReportIndex.of(StatusReport.of(List.of())))).isTrue();
  }

  @Test
  void malformedKeysAreRefusedWhenTheReportIsMade() {
    assertThatThrownBy(
            () -> report(List.of(), Map.of(), Map.of("shop/cart", new Rejection("x", 1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Kind namespace/name");
    assertThatThrownBy(() -> report(List.of(), Map.of("cart", 1), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namespace/name");
    assertThatThrownBy(() -> new Rejection("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private Verdict routeVerdict() {
    return Verdicts.route(route, "edge", "public", null, Verdicts.ACCEPTED, List.of("web"));
  }

  private static StatusReport report(
      List<Verdict> verdicts, Map<String, Integer> ready, Map<String, Rejection> rejections) {
    return new StatusReport(verdicts, ready, rejections, StatusReport.GATEWAY_CONTROLLER_NAME);
  }
}
