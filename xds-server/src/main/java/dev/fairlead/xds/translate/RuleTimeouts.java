package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * An HTTPRoute rule's {@code timeouts}: {@code request} bounds the whole request (the Envoy route's
 * {@code timeout}), {@code backendRequest} each request to a backend (the route's per-try timeout).
 * Both are Gateway API durations (one to four number+unit pairs, units {@code h}, {@code m}, {@code
 * s}, {@code ms}, at most five digits each); {@code 0s} disables a timeout, and {@code
 * backendRequest} may not exceed a non-zero {@code request}. A rule with only {@code
 * backendRequest} gets it as its route timeout too, since Envoy's default route timeout (15s) would
 * otherwise cut a longer one short. Redirecting routes forward nothing and get neither.
 *
 * <p>Stateless and thread-safe.
 */
final class RuleTimeouts implements HttpFeature {

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,5}(h|m|s|ms)){1,4}");

  @Override
  public void validate(HTTPRouteRule rule, String field, List<String> problems) {
    HTTPRouteTimeouts timeouts = rule.getTimeouts();
    if (timeouts == null) {
      return;
    }
    Optional<GoDuration> request =
        duration(timeouts.getRequest(), field + ".timeouts.request", problems);
    Optional<GoDuration> backendRequest =
        duration(timeouts.getBackendRequest(), field + ".timeouts.backendRequest", problems);
    if (request.isPresent()
        && backendRequest.isPresent()
        && request.get().nanos() != 0
        && backendRequest.get().isLongerThan(request.get())) {
      problems.add(
          field
              + ".timeouts.backendRequest: must not be longer than request, was "
              + timeouts.getBackendRequest()
              + " > "
              + timeouts.getRequest());
    }
  }

  private static Optional<GoDuration> duration(String value, String field, List<String> problems) {
    if (value == null) {
      return Optional.empty();
    }
    if (!DURATION.matcher(value).matches()) {
      problems.add(
          field
              + ": must be a Gateway API duration such as 10s, 1m30s or 500ms, was \""
              + value
              + "\"");
      return Optional.empty();
    }
    return GoDuration.parse(value);
  }

  @Override
  public void patchRoute(HTTPRouteRule rule, RuleBackends backends, Route.Builder route) {
    HTTPRouteTimeouts timeouts = rule.getTimeouts();
    if (timeouts == null || !route.hasRoute()) {
      return;
    }
    Optional<GoDuration> request = GoDuration.parse(timeouts.getRequest());
    Optional<GoDuration> backendRequest = GoDuration.parse(timeouts.getBackendRequest());
    request
        .or(() -> backendRequest)
        .ifPresent(timeout -> route.getRouteBuilder().setTimeout(timeout.toProto()));
    backendRequest
        .filter(timeout -> timeout.nanos() != 0)
        .ifPresent(
            timeout ->
                route
                    .getRouteBuilder()
                    .setRetryPolicy(RetryPolicy.newBuilder().setPerTryTimeout(timeout.toProto())));
  }
}
