package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamProxies;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.verdict.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The desired status of an Upstream, computed from its verdict, endpoints and rejections: pure, no
 * cluster.
 */
class UpstreamStatusKindTest {

  private static final Instant T0 = Instant.parse("2030-01-01T10:00:00.123Z");
  private static final Instant T1 = Instant.parse("2030-01-01T10:05:00Z");

  private final UpstreamStatusKind kind = new UpstreamStatusKind();

  @Test
  void conditionsComeFromTheVerdictWithItsGeneration() {
    Upstream cart = upstream("uid-1", 3);
    ObjectReport report =
        report(
            Verdicts.of(
                "Upstream",
                cart,
                new Condition.False("Invalid", "spec.static.hosts[0].port: must be 1-65535, was 0"),
                new Condition.True("ResolvedRefs", "all references resolved")),
            Optional.of(2),
            Optional.empty());

    UpstreamStatus status = kind.desired(report, cart, T0).orElseThrow();

    assertThat(status.observedGeneration()).isEqualTo(3);
    assertThat(status.readyEndpoints()).isEqualTo(2);
    assertThat(status.conditions())
        .extracting(
            c -> c.getType(),
            c -> c.getStatus(),
            c -> c.getReason(),
            c -> c.getObservedGeneration(),
            c -> c.getLastTransitionTime())
        .containsExactly(
            tuple("Accepted", "False", "Invalid", 3L, "2030-01-01T10:00:00Z"),
            tuple("ResolvedRefs", "True", "ResolvedRefs", 3L, "2030-01-01T10:00:00Z"),
            tuple("Programmed", "False", "Invalid", 3L, "2030-01-01T10:00:00Z"));
    assertThat(status.conditions().get(0).getMessage())
        .isEqualTo("spec.static.hosts[0].port: must be 1-65535, was 0");
  }

  @Test
  void aRejectionMakesProgrammedFalseWithTheProxysMessageAndItsWithdrawalMakesItTrueAgain() {
    Upstream cart = upstream("uid-1", 1);
    ObjectReport rejected =
        report(
            Verdicts.accepted("Upstream", cart),
            Optional.empty(),
            Optional.of(new Rejection("cluster upstream/shop/cart: invalid outlier detection", 3)));

    UpstreamStatus status = kind.desired(rejected, cart, T0).orElseThrow();

    assertThat(condition(status, "Programmed"))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("Rejected");
              assertThat(c.getMessage())
                  .isEqualTo(
                      "3 proxies rejected it: cluster upstream/shop/cart: invalid outlier detection");
            });
    assertThat(status.readyEndpoints()).isNull();

    cart.setStatus(status);
    UpstreamStatus withdrawn =
        kind.desired(
                report(Verdicts.accepted("Upstream", cart), Optional.empty(), Optional.empty()),
                cart,
                T1)
            .orElseThrow();
    assertThat(condition(withdrawn, "Programmed"))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("True");
              assertThat(c.getReason()).isEqualTo("Programmed");
              assertThat(c.getLastTransitionTime()).isEqualTo("2030-01-01T10:05:00Z");
            });
  }

  @Test
  void countedProxiesShowInTheProgrammedMessageAndInStatusProxies() {
    Upstream cart = upstream("uid-1", 1);
    UpstreamStatus rejected =
        kind.desired(
                new ObjectReport(
                    List.of(Verdicts.accepted("Upstream", cart)),
                    Optional.empty(),
                    Optional.of(new Rejection("cluster upstream/shop/cart: bad", 1)),
                    Map.of(),
                    StatusReport.GATEWAY_CONTROLLER_NAME,
                    Optional.empty(),
                    Optional.of(new ProxyTally(3, 1, 1))),
                cart,
                T0)
            .orElseThrow();

    assertThat(condition(rejected, "Programmed"))
        .satisfies(
            c -> {
              assertThat(c.getStatus()).isEqualTo("False");
              assertThat(c.getReason()).isEqualTo("Rejected");
              assertThat(c.getMessage())
                  .isEqualTo(
                      "1 of 3 proxies holds its current configuration; 1 rejected it: cluster upstream/shop/cart: bad");
            });
    assertThat(rejected.proxies()).isEqualTo(new UpstreamProxies(3, 1, 1));

    UpstreamStatus held =
        kind.desired(
                new ObjectReport(
                    List.of(Verdicts.accepted("Upstream", cart)),
                    Optional.empty(),
                    Optional.empty(),
                    Map.of(),
                    StatusReport.GATEWAY_CONTROLLER_NAME,
                    Optional.empty(),
                    Optional.of(new ProxyTally(2, 2, 0))),
                cart,
                T0)
            .orElseThrow();
    assertThat(condition(held, "Programmed").getMessage())
        .isEqualTo("2 of 2 proxies hold its current configuration; none rejected it");
    assertThat(held.proxies()).isEqualTo(new UpstreamProxies(2, 2, 0));

    UpstreamStatus alone =
        kind.desired(
                new ObjectReport(
                    List.of(Verdicts.accepted("Upstream", cart)),
                    Optional.empty(),
                    Optional.empty(),
                    Map.of(),
                    StatusReport.GATEWAY_CONTROLLER_NAME,
                    Optional.empty(),
                    Optional.of(ProxyTally.NONE)),
                cart,
                T0)
            .orElseThrow();
    assertThat(condition(alone, "Programmed").getMessage())
        .isEqualTo("in the configuration served to proxies; no proxy it goes to is connected");
    assertThat(kind.comparable(alone)).isNotEqualTo(kind.comparable(held));
  }

  @Test
  void anUnchangedConditionKeepsItsTransitionTimeSoTheStatusComputesEqual() {
    Upstream cart = upstream("uid-1", 1);
    ObjectReport report =
        report(Verdicts.accepted("Upstream", cart), Optional.of(1), Optional.empty());
    cart.setStatus(kind.desired(report, cart, T0).orElseThrow());

    UpstreamStatus again = kind.desired(report, cart, T1).orElseThrow();

    assertThat(again).isEqualTo(cart.getStatus());
  }

  @Test
  void aNewGenerationKeepsTransitionTimesButUpdatesObservedGeneration() {
    Upstream cart = upstream("uid-1", 1);
    cart.setStatus(
        kind.desired(
                report(Verdicts.accepted("Upstream", cart), Optional.empty(), Optional.empty()),
                cart,
                T0)
            .orElseThrow());
    cart.getMetadata().setGeneration(2L);

    UpstreamStatus next =
        kind.desired(
                report(Verdicts.accepted("Upstream", cart), Optional.empty(), Optional.empty()),
                cart,
                T1)
            .orElseThrow();

    assertThat(next.observedGeneration()).isEqualTo(2);
    assertThat(next.conditions())
        .allSatisfy(
            c -> {
              assertThat(c.getObservedGeneration()).isEqualTo(2);
              assertThat(c.getLastTransitionTime()).isEqualTo("2030-01-01T10:00:00Z");
            });
  }

  @Test
  void aVerdictAboutAnEarlierObjectOfTheSameNameSaysNothingAboutTheNewOne() {
    Upstream old = upstream("uid-old", 1);
    Upstream recreated = upstream("uid-new", 1);

    Optional<UpstreamStatus> status =
        kind.desired(
            report(Verdicts.accepted("Upstream", old), Optional.empty(), Optional.empty()),
            recreated,
            T0);

    assertThat(status).isEmpty();
  }

  @Test
  void aLongProxyMessageIsShortenedToWhatAConditionHolds() {
    Upstream cart = upstream("uid-1", 1);
    ObjectReport report =
        report(
            Verdicts.accepted("Upstream", cart),
            Optional.empty(),
            Optional.of(new Rejection("x".repeat(100_000), 1)));

    String message =
        condition(kind.desired(report, cart, T0).orElseThrow(), "Programmed").getMessage();

    assertThat(message)
        .hasSize(Conditions.MAX_MESSAGE)
        .startsWith("1 proxy rejected it: xxx")
        .endsWith("(truncated)");
  }

  @Test
  void comparisonIgnoresTransitionTimes() {
    Upstream cart = upstream("uid-1", 1);
    ObjectReport report =
        report(Verdicts.accepted("Upstream", cart), Optional.empty(), Optional.empty());
    UpstreamStatus early = kind.desired(report, cart, T0).orElseThrow();
    UpstreamStatus late = kind.desired(report, cart, T1).orElseThrow();

    assertThat(early).isNotEqualTo(late);
    assertThat(kind.comparable(early)).isEqualTo(kind.comparable(late));
  }

  @Test
  void theUpdateCarriesIdentityPreconditionsAndStatusOnly() {
    Upstream cart = upstream("uid-1", 1);
    cart.getMetadata().setResourceVersion("42");
    cart.getMetadata().setLabels(Map.of("team", "shop"));
    UpstreamStatus status = new UpstreamStatus(List.of(), 1L, null);

    Upstream update = kind.withStatus(cart, status);

    assertThat(update.getMetadata().getUid()).isEqualTo("uid-1");
    assertThat(update.getMetadata().getResourceVersion()).isEqualTo("42");
    assertThat(update.getMetadata().getLabels()).isEmpty();
    assertThat(update.getSpec()).isNull();
    assertThat(update.getStatus()).isSameAs(status);
  }

  static Upstream upstream(String uid, long generation) {
    Upstream upstream = new Upstream();
    upstream.setMetadata(
        new ObjectMetaBuilder()
            .withNamespace("shop")
            .withName("cart")
            .withUid(uid)
            .withGeneration(generation)
            .build());
    return upstream;
  }

  private static ObjectReport report(
      dev.fairlead.api.verdict.Verdict verdict,
      Optional<Integer> ready,
      Optional<Rejection> rejection) {
    return new ObjectReport(
        List.of(verdict), ready, rejection, Map.of(), StatusReport.GATEWAY_CONTROLLER_NAME);
  }

  private static io.fabric8.kubernetes.api.model.Condition condition(
      UpstreamStatus status, String type) {
    return status.conditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElseThrow();
  }
}
