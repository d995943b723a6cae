package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathModifier;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.Objects;

/**
 * The Gateway API's path modifier of RequestRedirect and URLRewrite: {@code ReplaceFullPath}
 * replaces the whole path; {@code ReplacePrefixMatch} replaces the prefix the rule's one {@code
 * PathPrefix} match matched, segment-wise.
 *
 * <p>{@link HTTPRouteRuleTranslator} turns a prefix {@code /p} into two Envoy matches, the exact
 * path {@code /p} and the prefix {@code /p/}; the replacement of {@code /p} by {@code r} is then
 * {@code r} for the first and {@code r} with its trailing slashes trimmed plus {@code /} for the
 * second. So {@code /p/x} becomes {@code r/x} (and {@code /x} when {@code r} is {@code /}), never
 * {@code r//x} or {@code rx}.
 */
final class PathModifier {

  private PathModifier() {}

  /** Adds to {@code problems} each problem of {@code path} (at {@code field}) in {@code rule}. */
  static void validate(
      HTTPRouteRule rule, HTTPPathModifier path, String field, List<String> problems) {
    if (path == null) {
      return;
    }
    String type = path.getType();
    if ("ReplaceFullPath".equals(type)) {
      if (path.getReplaceFullPath() == null || path.getReplacePrefixMatch() != null) {
        problems.add(
            field + ": type ReplaceFullPath needs replaceFullPath and no replacePrefixMatch");
      } else {
        HTTPRouteRuleTranslator.pathValueProblems(path.getReplaceFullPath())
            .forEach(problem -> problems.add(field + ".replaceFullPath: " + problem));
      }
    } else if ("ReplacePrefixMatch".equals(type)) {
      if (path.getReplacePrefixMatch() == null || path.getReplaceFullPath() != null) {
        problems.add(
            field + ": type ReplacePrefixMatch needs replacePrefixMatch and no replaceFullPath");
      } else {
        HTTPRouteRuleTranslator.pathValueProblems(path.getReplacePrefixMatch())
            .forEach(problem -> problems.add(field + ".replacePrefixMatch: " + problem));
      }
      List<HTTPRouteMatch> matches = Objects.requireNonNullElse(rule.getMatches(), List.of());
      boolean onePrefix =
          matches.size() <= 1
              && matches.stream()
                  .allMatch(
                      match ->
                          match == null
                              || match.getPath() == null
                              || match.getPath().getType() == null
                              || match.getPath().getType().equals("PathPrefix"));
      if (!onePrefix) {
        problems.add(field + ": ReplacePrefixMatch needs exactly one match, of type PathPrefix");
      }
    } else {
      problems.add(field + ".type: must be ReplaceFullPath or ReplacePrefixMatch, was " + type);
    }
  }

  /** Whether {@code path} replaces the prefix rather than the whole path. */
  static boolean replacesPrefix(HTTPPathModifier path) {
    return path.getType().equals("ReplacePrefixMatch");
  }

  /**
   * What replaces the path {@code match} matched with, for a {@code ReplacePrefixMatch} by {@code
   * replacement}.
   */
  static String prefixRewrite(RouteMatch match, String replacement) {
    if (match.getPathSpecifierCase() == RouteMatch.PathSpecifierCase.PATH) {
      return replacement;
    }
    String trimmed = replacement;
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed + "/";
  }
}
