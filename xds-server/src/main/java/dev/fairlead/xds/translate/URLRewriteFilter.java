package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPURLRewriteFilter;
import java.util.List;

/**
 * The Gateway API's {@code URLRewrite} filter: before forwarding, {@code hostname} replaces the
 * Host header and {@code path} the path (see {@link PathModifier}); the query string is kept. A
 * full path replacement is a regex rewrite of the whole path, whose substitution has its
 * backslashes escaped so the value is taken literally.
 *
 * <p>Stateless and thread-safe.
 */
final class URLRewriteFilter implements RouteFilter {

  @Override
  public String type() {
    return "URLRewrite";
  }

  @Override
  public HTTPURLRewriteFilter config(HTTPRouteFilter filter) {
    return filter.getUrlRewrite();
  }

  @Override
  public String configField() {
    return "urlRewrite";
  }

  @Override
  public void validate(
      HTTPRouteRule rule, HTTPRouteFilter filter, String field, List<String> problems) {
    HTTPURLRewriteFilter rewrite = config(filter);
    String at = field + "." + configField();
    if (rewrite.getHostname() == null && rewrite.getPath() == null) {
      problems.add(at + ": needs hostname or path");
    }
    if (rewrite.getHostname() != null) {
      RequestRedirectFilter.preciseHostnameProblem(rewrite.getHostname())
          .ifPresent(problem -> problems.add(at + ".hostname: " + problem));
    }
    PathModifier.validate(rule, rewrite.getPath(), at + ".path", problems);
  }

  @Override
  public void patchRoute(HTTPRouteFilter filter, Route.Builder route) {
    HTTPURLRewriteFilter rewrite = config(filter);
    RouteAction.Builder action = route.getRouteBuilder();
    if (rewrite.getHostname() != null) {
      action.setHostRewriteLiteral(rewrite.getHostname());
    }
    if (rewrite.getPath() != null) {
      if (PathModifier.replacesPrefix(rewrite.getPath())) {
        action.setPrefixRewrite(
            PathModifier.prefixRewrite(
                route.getMatch(), rewrite.getPath().getReplacePrefixMatch()));
      } else {
        action.setRegexRewrite(
            RegexMatchAndSubstitute.newBuilder()
                .setPattern(RegexMatcher.newBuilder().setRegex("^/.*$"))
                .setSubstitution(rewrite.getPath().getReplaceFullPath().replace("\\", "\\\\")));
      }
    }
  }
}
