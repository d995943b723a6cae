package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Fraction;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestMirrorFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Gateway API's {@code RequestMirror} filter on a rule: a copy of each request (or of the share
 * {@code percent} or {@code fraction} gives) goes to the cluster of its {@code backendRef}, and its
 * answer is ignored; an Envoy {@code request_mirror_policies} entry with a {@code
 * runtime_fraction}. A rule may hold several (the Gateway API allows it), each a policy of its own,
 * in order.
 *
 * <p>The route translator resolves each mirror's backendRef like a backendRef ({@link
 * BackendResolver}, with ReferenceGrants across namespaces) and hands the clusters in {@link
 * RuleBackends#mirrors()}: a mirror whose backendRef does not resolve is left out (the route's
 * resolvedRefs says why) while the rule's own traffic goes on. Envoy sends the copy with {@code
 * -shadow} appended to its Host.
 *
 * <p>Immutable and thread-safe.
 */
final class RequestMirrorFilter implements RouteFilter {

  static final String TYPE = "RequestMirror";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public HTTPRequestMirrorFilter config(HTTPRouteFilter filter) {
    return filter.getRequestMirror();
  }

  @Override
  public String configField() {
    return "requestMirror";
  }

  @Override
  public boolean repeatable() {
    return true;
  }

  @Override
  public void validate(
      HTTPRouteRule rule, HTTPRouteFilter filter, String field, List<String> problems) {
    HTTPRequestMirrorFilter mirror = config(filter);
    String at = field + "." + configField();
    if (mirror.getBackendRef() == null) {
      problems.add(at + ".backendRef: required");
    }
    if (mirror.getPercent() != null && mirror.getFraction() != null) {
      problems.add(at + ": only one of percent and fraction may be set");
    }
    if (mirror.getPercent() != null && (mirror.getPercent() < 0 || mirror.getPercent() > 100)) {
      problems.add(at + ".percent: must be 0-100, was " + mirror.getPercent());
    }
    Fraction fraction = mirror.getFraction();
    if (fraction != null) {
      int denominator = Objects.requireNonNullElse(fraction.getDenominator(), 100);
      if (fraction.getNumerator() == null || fraction.getNumerator() < 0) {
        problems.add(at + ".fraction.numerator: required, at least 0");
      } else if (denominator < 1) {
        problems.add(at + ".fraction.denominator: must be at least 1, was " + denominator);
      } else if (fraction.getNumerator() > denominator) {
        problems.add(
            at
                + ".fraction: numerator "
                + fraction.getNumerator()
                + " exceeds denominator "
                + denominator);
      }
    }
  }

  /**
   * The mirrors are applied with their clusters, by {@link #patchRoute(HTTPRouteRule, RuleBackends,
   * Route.Builder)}.
   */
  @Override
  public void patchRoute(HTTPRouteFilter filter, Route.Builder route) {}

  @Override
  public void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    if (!route.hasRoute()) {
      return;
    }
    List<HTTPRouteFilter> mirrors = mirrors(rule);
    for (int i = 0; i < mirrors.size() && i < backends.mirrors().size(); i++) {
      Optional<Backend> backend = backends.mirrors().get(i);
      if (backend.isPresent()) {
        RouteAction.RequestMirrorPolicy.Builder policy =
            RouteAction.RequestMirrorPolicy.newBuilder().setCluster(backend.get().name());
        share(config(mirrors.get(i)))
            .ifPresent(
                share ->
                    policy.setRuntimeFraction(
                        RuntimeFractionalPercent.newBuilder().setDefaultValue(share)));
        route.getRouteBuilder().addRequestMirrorPolicies(policy);
      }
    }
  }

  /** The RequestMirror filters of {@code rule}, in order. */
  static List<HTTPRouteFilter> mirrors(HTTPRouteRule rule) {
    return Objects.requireNonNullElse(rule.getFilters(), List.<HTTPRouteFilter>of()).stream()
        .filter(
            filter ->
                filter != null
                    && TYPE.equals(filter.getType())
                    && filter.getRequestMirror() != null)
        .toList();
  }

  /**
   * The share of requests mirrored, or empty for all of them. A percent is exact in hundredths; a
   * fraction becomes millionths, rounded down (Envoy's finest denominator).
   */
  private static Optional<FractionalPercent> share(HTTPRequestMirrorFilter mirror) {
    if (mirror.getPercent() != null) {
      return Optional.of(
          FractionalPercent.newBuilder()
              .setNumerator(mirror.getPercent())
              .setDenominator(FractionalPercent.DenominatorType.HUNDRED)
              .build());
    }
    Fraction fraction = mirror.getFraction();
    if (fraction == null) {
      return Optional.empty();
    }
    long denominator = Objects.requireNonNullElse(fraction.getDenominator(), 100);
    return Optional.of(
        FractionalPercent.newBuilder()
            .setNumerator((int) (fraction.getNumerator() * 1_000_000L / denominator))
            .setDenominator(FractionalPercent.DenominatorType.MILLION)
            .build());
  }
}
