package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRequestRedirectFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Gateway API's {@code RequestRedirect} filter: the route answers with a redirect (302 unless
 * {@code statusCode} says otherwise) instead of forwarding; the rule's backendRefs are not used.
 *
 * <p>The Location keeps what the filter does not change. Its port follows the Gateway API: {@code
 * port} if set, else the well-known port of {@code scheme} (80 for http, 443 for https) if set,
 * else the listener's port; and it is left out when it is the well-known port of the Location's
 * scheme. Envoy drops the Host header's port when the route names another host or port, or changes
 * the scheme from the port's own (http on :80). Listeners speak plain HTTP, so a redirect without
 * {@code scheme} keeps http.
 *
 * <p>Stateless and thread-safe.
 */
final class RequestRedirectFilter implements RouteFilter {

  private static final Map<Integer, RedirectAction.RedirectResponseCode> STATUS =
      Map.of(
          301, RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY,
          302, RedirectAction.RedirectResponseCode.FOUND,
          303, RedirectAction.RedirectResponseCode.SEE_OTHER,
          307, RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT,
          308, RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);

  @Override
  public String type() {
    return "RequestRedirect";
  }

  @Override
  public HTTPRequestRedirectFilter config(HTTPRouteFilter filter) {
    return filter.getRequestRedirect();
  }

  @Override
  public String configField() {
    return "requestRedirect";
  }

  @Override
  public void validate(
      HTTPRouteRule rule, HTTPRouteFilter filter, String field, List<String> problems) {
    HTTPRequestRedirectFilter redirect = config(filter);
    String at = field + "." + configField();
    if (redirect.getScheme() != null
        && !redirect.getScheme().equals("http")
        && !redirect.getScheme().equals("https")) {
      problems.add(at + ".scheme: must be http or https, was " + redirect.getScheme());
    }
    if (redirect.getHostname() != null) {
      preciseHostnameProblem(redirect.getHostname())
          .ifPresent(problem -> problems.add(at + ".hostname: " + problem));
    }
    if (redirect.getPort() != null && (redirect.getPort() < 1 || redirect.getPort() > 65535)) {
      problems.add(at + ".port: must be 1-65535, was " + redirect.getPort());
    }
    if (redirect.getStatusCode() != null && !STATUS.containsKey(redirect.getStatusCode())) {
      problems.add(
          at + ".statusCode: must be 301, 302, 303, 307 or 308, was " + redirect.getStatusCode());
    }
    PathModifier.validate(rule, redirect.getPath(), at + ".path", problems);
  }

  /** Why {@code hostname} is not a hostname without wildcard, if it is not. */
  static Optional<String> preciseHostnameProblem(String hostname) {
    if (hostname.contains("*")) {
      return Optional.of("must not be a wildcard, was \"" + hostname + "\"");
    }
    return Hostname.problem(hostname);
  }

  @Override
  public void patchRoute(HTTPRouteFilter filter, Route.Builder route) {
    HTTPRequestRedirectFilter redirect = config(filter);
    RedirectAction.Builder action =
        RedirectAction.newBuilder()
            .setResponseCode(
                STATUS.get(redirect.getStatusCode() == null ? 302 : redirect.getStatusCode()));
    String scheme = redirect.getScheme() == null ? "http" : redirect.getScheme();
    if (redirect.getScheme() != null) {
      action.setSchemeRedirect(redirect.getScheme());
    }
    if (redirect.getHostname() != null) {
      action.setHostRedirect(redirect.getHostname());
    }
    Integer port =
        redirect.getPort() != null
            ? redirect.getPort()
            : redirect.getScheme() != null ? wellKnownPort(redirect.getScheme()) : null;
    if (port != null && port != wellKnownPort(scheme)) {
      action.setPortRedirect(port);
    }
    if (redirect.getPath() != null) {
      if (PathModifier.replacesPrefix(redirect.getPath())) {
        action.setPrefixRewrite(
            PathModifier.prefixRewrite(
                route.getMatch(), redirect.getPath().getReplacePrefixMatch()));
      } else {
        action.setPathRedirect(redirect.getPath().getReplaceFullPath());
      }
    }
    route.setRedirect(action);
  }

  /**
   * Sets the listener's port on a redirect that names neither scheme nor port, unless it is http's
   * 80.
   */
  @Override
  public Route patchPortRoute(int port, HTTPRouteRule rule, Route route) {
    Optional<HTTPRequestRedirectFilter> redirect = filterOf(rule).map(this::config);
    if (redirect.isEmpty()
        || redirect.get().getScheme() != null
        || redirect.get().getPort() != null
        || port == wellKnownPort("http")) {
      return route;
    }
    Route.Builder patched = route.toBuilder();
    patched.getRedirectBuilder().setPortRedirect(port);
    return patched.build();
  }

  private static int wellKnownPort(String scheme) {
    return scheme.equals("https") ? 443 : 80;
  }
}
