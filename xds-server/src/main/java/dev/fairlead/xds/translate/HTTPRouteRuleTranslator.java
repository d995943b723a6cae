package dev.fairlead.xds.translate;

import com.google.protobuf.UInt32Value;
import dev.fairlead.api.verdict.ObjectRef;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPPathMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPQueryParamMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks and translates the rules of an HTTPRoute into Envoy routes.
 *
 * <p>Supported: path matches {@code Exact}, {@code PathPrefix} (the default, {@code /}) and {@code
 * RegularExpression}, header and query parameter matches of type {@code Exact} and {@code
 * RegularExpression}, method matches (as a {@code :method} header match), and weighted backendRefs;
 * filters and timeouts through the {@link HttpFeatures}. A regular expression becomes a {@code
 * safe_regex} (RE2, Envoy's default engine, matching the whole value); Envoy rejects a whole route
 * table for one pattern it cannot compile, so each is checked first ({@link Re2Regex}). Not
 * supported, so a rule using them is refused ({@code UnsupportedValue}): retries and session
 * persistence.
 *
 * <p>Everything is expressed in what both Envoy and gRPC's xDS client accept, since they share
 * route tables: a Gateway API path prefix (which matches whole path segments) becomes an exact
 * match on the path plus a prefix match on the path and {@code /} (gRPC rejects {@code
 * path_separated_prefix}); and a request that must fail with 500 (no backend, every weight 0, or a
 * backendRef that does not resolve) is routed to the cluster {@value #UNRESOLVED_BACKEND_CLUSTER},
 * which never exists, with {@code cluster_not_found_response_code: INTERNAL_SERVER_ERROR} (gRPC
 * rejects a route table holding a {@code direct_response}). That also keeps the share of an
 * unresolved backend among weighted ones failing, as the Gateway API asks.
 *
 * <p>Immutable and thread-safe.
 */
final class HTTPRouteRuleTranslator {

  /** The cluster name no fleet ever has: requests routed to it get a 500. */
  static final String UNRESOLVED_BACKEND_CLUSTER = "unresolved-backend";

  static final int MAX_BACKEND_REFS = 16;

  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");
  private static final Pattern PATH_CHARACTERS = Pattern.compile("[\\x21-\\x7e]*");

  private final HttpFeatures features;

  HTTPRouteRuleTranslator(HttpFeatures features) {
    this.features = features;
  }

  /**
   * One Envoy match a route's match became, and its precedence inputs (see {@link
   * RoutePrecedence}).
   */
  record Match(
      RouteMatch match,
      RoutePrecedence.PathKind pathKind,
      int pathLength,
      boolean method,
      int headers,
      int queryParams) {}

  /** Every problem with {@code rule} (at {@code field}), each as {@code field: what is wrong}. */
  List<String> problems(HTTPRouteRule rule, String field) {
    List<String> problems = new ArrayList<>();
    if (rule == null) {
      problems.add(field + ": required");
      return problems;
    }
    if (rule.getRetry() != null) {
      problems.add(field + ".retry: not supported yet");
    }
    if (rule.getSessionPersistence() != null) {
      problems.add(field + ".sessionPersistence: not supported yet");
    }
    features.validate(rule, field, problems);
    List<HTTPRouteMatch> matches = Objects.requireNonNullElse(rule.getMatches(), List.of());
    for (int j = 0; j < matches.size(); j++) {
      matchProblems(matches.get(j), field + ".matches[" + j + "]", problems);
    }
    List<HTTPBackendRef> refs = Objects.requireNonNullElse(rule.getBackendRefs(), List.of());
    if (refs.size() > MAX_BACKEND_REFS) {
      problems.add(
          field + ".backendRefs: at most " + MAX_BACKEND_REFS + " allowed, found " + refs.size());
    }
    for (int k = 0; k < refs.size(); k++) {
      String refField = field + ".backendRefs[" + k + "]";
      HTTPBackendRef ref = refs.get(k);
      if (ref == null) {
        problems.add(refField + ": required");
        continue;
      }
      if (ref.getWeight() != null && (ref.getWeight() < 0 || ref.getWeight() > 1_000_000)) {
        problems.add(refField + ".weight: must be 0-1000000, was " + ref.getWeight());
      }
    }
    return problems;
  }

  private static void matchProblems(HTTPRouteMatch match, String field, List<String> problems) {
    if (match == null) {
      problems.add(field + ": required");
      return;
    }
    HTTPPathMatch path = match.getPath();
    if (path != null) {
      String type = Objects.requireNonNullElse(path.getType(), "PathPrefix");
      if (type.equals("RegularExpression")) {
        Re2Regex.problem(path.getValue())
            .ifPresent(problem -> problems.add(field + ".path.value: " + problem));
      } else if (!type.equals("Exact") && !type.equals("PathPrefix")) {
        problems.add(
            field
                + ".path.type: unsupported value "
                + type
                + ", only Exact, PathPrefix and RegularExpression are supported");
      } else {
        pathValueProblems(Objects.requireNonNullElse(path.getValue(), "/"))
            .forEach(problem -> problems.add(field + ".path.value: " + problem));
      }
    }
    List<HTTPHeaderMatch> headers = Objects.requireNonNullElse(match.getHeaders(), List.of());
    for (int k = 0; k < headers.size(); k++) {
      HTTPHeaderMatch header = headers.get(k);
      nameValueProblems(
          field + ".headers[" + k + "]",
          header == null ? null : header.getType(),
          header == null ? null : header.getName(),
          header == null ? null : header.getValue(),
          4096,
          problems);
    }
    List<HTTPQueryParamMatch> params =
        Objects.requireNonNullElse(match.getQueryParams(), List.of());
    for (int k = 0; k < params.size(); k++) {
      HTTPQueryParamMatch param = params.get(k);
      nameValueProblems(
          field + ".queryParams[" + k + "]",
          param == null ? null : param.getType(),
          param == null ? null : param.getName(),
          param == null ? null : param.getValue(),
          1024,
          problems);
    }
    if (match.getMethod() != null && !METHODS.contains(match.getMethod())) {
      problems.add(field + ".method: unsupported value " + match.getMethod());
    }
  }

  /** The Gateway API's rules for a path value (its CRD enforces the same). */
  static List<String> pathValueProblems(String value) {
    List<String> problems = new ArrayList<>();
    if (!value.startsWith("/")) {
      problems.add("must start with /, was \"" + value + "\"");
    } else if (value.length() > 1024) {
      problems.add("must be at most 1024 characters");
    } else if (!PATH_CHARACTERS.matcher(value).matches()) {
      problems.add("must not contain spaces or control characters");
    } else if (value.contains("//")
        || value.contains("/./")
        || value.contains("/../")
        || value.endsWith("/.")
        || value.endsWith("/..")
        || value.contains("#")
        || value.contains("?")
        || value.toLowerCase(Locale.ROOT).contains("%2f")) {
      problems.add(
          "must be a normalized path without //, /./, /../, %2f, ? or #, was \"" + value + "\"");
    }
    return problems;
  }

  /**
   * Adds to {@code problems} each problem of a header or query parameter match at {@code field}:
   * its type (Exact or RegularExpression), name (an HTTP token) and value (at most {@code maxValue}
   * characters; RE2 for a regular expression).
   */
  static void nameValueProblems(
      String field, String type, String name, String value, int maxValue, List<String> problems) {
    if (name == null && value == null && type == null) {
      problems.add(field + ": required");
      return;
    }
    String effectiveType = Objects.requireNonNullElse(type, "Exact");
    if (!effectiveType.equals("Exact") && !effectiveType.equals("RegularExpression")) {
      problems.add(
          field
              + ".type: unsupported value "
              + effectiveType
              + ", only Exact and RegularExpression are supported");
    }
    if (name == null || !HeaderModifier.TOKEN.matcher(name).matches() || name.length() > 256) {
      problems.add(
          field + ".name: must be an HTTP token of 1-256 characters, was \"" + name + "\"");
    }
    if (value == null || value.isEmpty() || value.length() > maxValue) {
      problems.add(field + ".value: must be 1-" + maxValue + " characters");
    } else if (effectiveType.equals("RegularExpression")) {
      Re2Regex.problem(value).ifPresent(problem -> problems.add(field + ".value: " + problem));
    }
  }

  /**
   * The Envoy routes of a rule that passed {@link #problems}, each with its precedence.
   *
   * @param backends what the rule's backendRefs resolved to, in order
   * @param mirrors what its RequestMirror filters' backendRefs resolved to, in order; empty where
   *     they did not
   */
  List<RouteEntry> translate(
      ObjectRef route,
      Instant created,
      int ruleIndex,
      HTTPRouteRule rule,
      List<BackendResolver.BackendResolution> backends,
      List<Optional<Backend>> mirrors) {
    return translate(route, created, ruleIndex, rule, backends, mirrors, matches(rule));
  }

  /**
   * The Envoy matches of each match of an HTTPRoute rule ({@code PathPrefix /} when it has none).
   */
  static List<List<Match>> matches(HTTPRouteRule rule) {
    List<HTTPRouteMatch> matches =
        rule.getMatches() == null || rule.getMatches().isEmpty()
            ? List.of(new HTTPRouteMatch())
            : rule.getMatches();
    return matches.stream().map(HTTPRouteRuleTranslator::matches).toList();
  }

  /**
   * The Envoy routes of a rule whose filters and backendRefs passed {@link #problems}, with the
   * Envoy matches {@code matches} (per match of the rule, the Envoy matches it became): a route of
   * another kind (a GRPCRoute) brings its own.
   */
  List<RouteEntry> translate(
      ObjectRef route,
      Instant created,
      int ruleIndex,
      HTTPRouteRule rule,
      List<BackendResolver.BackendResolution> backends,
      List<Optional<Backend>> mirrors,
      List<List<Match>> matches) {
    RouteAction action =
        action(Objects.requireNonNullElse(rule.getBackendRefs(), List.of()), backends);
    RuleBackends referenced = new RuleBackends(referencedBackends(backends), mirrors);
    List<RouteEntry> entries = new ArrayList<>();
    for (int j = 0; j < matches.size(); j++) {
      String name = route.key() + "/rules/" + ruleIndex + "/matches/" + j;
      List<Match> variants = matches.get(j);
      for (int v = 0; v < variants.size(); v++) {
        Match m = variants.get(v);
        entries.add(
            new RouteEntry(
                rule,
                new RoutePrecedence(
                    m.pathKind(),
                    m.pathLength(),
                    m.method(),
                    m.headers(),
                    m.queryParams(),
                    created,
                    route.namespace(),
                    route.name(),
                    ruleIndex,
                    j,
                    v),
                features
                    .patchRoute(
                        rule,
                        referenced,
                        Route.newBuilder().setName(name).setMatch(m.match()).setRoute(action))
                    .build()));
      }
    }
    return entries;
  }

  /** The clusters a rule's requests can go to: its resolved backends of weight above 0. */
  static List<Backend> referencedBackends(List<BackendResolver.BackendResolution> backends) {
    return backends.stream()
        .filter(b -> b.weight() > 0 && b instanceof BackendResolver.BackendResolution.Resolved)
        .map(b -> ((BackendResolver.BackendResolution.Resolved) b).backend())
        .toList();
  }

  /**
   * The route action to {@code backends}, what the backendRefs {@code refs} resolved to. Shares of
   * one cluster are merged, unless a backendRef has filters: each backendRef is then a weighted
   * cluster of its own, which its filters patch.
   */
  private RouteAction action(
      List<HTTPBackendRef> refs, List<BackendResolver.BackendResolution> backends) {
    if (refs.stream().anyMatch(ref -> ref.getFilters() != null && !ref.getFilters().isEmpty())) {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      boolean unresolved = false;
      for (int k = 0; k < backends.size(); k++) {
        BackendResolver.BackendResolution backend = backends.get(k);
        if (backend.weight() > 0) {
          String cluster = clusterOf(backend);
          unresolved |= cluster.equals(UNRESOLVED_BACKEND_CLUSTER);
          weighted.addClusters(
              features.patchBackendRef(
                  refs.get(k),
                  WeightedCluster.ClusterWeight.newBuilder()
                      .setName(cluster)
                      .setWeight(UInt32Value.of(backend.weight()))));
        }
      }
      if (weighted.getClustersCount() > 0) {
        RouteAction.Builder action = RouteAction.newBuilder().setWeightedClusters(weighted);
        if (unresolved) {
          action.setClusterNotFoundResponseCode(
              RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR);
        }
        return action.build();
      }
    }
    Map<String, Long> weights = new LinkedHashMap<>();
    for (BackendResolver.BackendResolution backend : backends) {
      if (backend.weight() > 0) {
        weights.merge(clusterOf(backend), (long) backend.weight(), Long::sum);
      }
    }
    RouteAction.Builder action = RouteAction.newBuilder();
    if (weights.size() <= 1) {
      action.setCluster(
          weights.isEmpty() ? UNRESOLVED_BACKEND_CLUSTER : weights.keySet().iterator().next());
    } else {
      WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
      weights.forEach(
          (cluster, weight) ->
              weighted.addClusters(
                  WeightedCluster.ClusterWeight.newBuilder()
                      .setName(cluster)
                      .setWeight(UInt32Value.of(weight.intValue()))));
      action.setWeightedClusters(weighted);
    }
    if (weights.isEmpty() || weights.containsKey(UNRESOLVED_BACKEND_CLUSTER)) {
      action.setClusterNotFoundResponseCode(
          RouteAction.ClusterNotFoundResponseCode.INTERNAL_SERVER_ERROR);
    }
    return action.build();
  }

  private static String clusterOf(BackendResolver.BackendResolution backend) {
    return backend instanceof BackendResolver.BackendResolution.Resolved resolved
        ? resolved.backend().name()
        : UNRESOLVED_BACKEND_CLUSTER;
  }

  /**
   * The Envoy matches one Gateway API match becomes: two for a path prefix other than {@code /},
   * else one.
   */
  private static List<Match> matches(HTTPRouteMatch match) {
    List<HeaderMatcher> headers = new ArrayList<>();
    Set<String> headerNames = new HashSet<>();
    for (HTTPHeaderMatch header :
        Objects.requireNonNullElse(match.getHeaders(), List.<HTTPHeaderMatch>of())) {
      String name = header.getName().toLowerCase(Locale.ROOT);
      // Header names are case-insensitive; only the first match on a name counts.
      if (headerNames.add(name)) {
        headers.add(
            HeaderMatcher.newBuilder()
                .setName(name)
                .setStringMatch(stringMatcher(header.getType(), header.getValue()))
                .build());
      }
    }
    if (match.getMethod() != null) {
      headers.add(
          HeaderMatcher.newBuilder()
              .setName(":method")
              .setStringMatch(StringMatcher.newBuilder().setExact(match.getMethod()))
              .build());
    }
    List<QueryParameterMatcher> params = new ArrayList<>();
    Set<String> paramNames = new HashSet<>();
    for (HTTPQueryParamMatch param :
        Objects.requireNonNullElse(match.getQueryParams(), List.<HTTPQueryParamMatch>of())) {
      // Query parameter names are case-sensitive; only the first match on a name counts.
      if (paramNames.add(param.getName())) {
        params.add(
            QueryParameterMatcher.newBuilder()
                .setName(param.getName())
                .setStringMatch(stringMatcher(param.getType(), param.getValue()))
                .build());
      }
    }
    HTTPPathMatch path = match.getPath();
    String type = path == null || path.getType() == null ? "PathPrefix" : path.getType();
    String value = path == null || path.getValue() == null ? "/" : path.getValue();
    int headerCount = headerNames.size();
    boolean method = match.getMethod() != null;
    List<Match> result = new ArrayList<>();
    if (type.equals("Exact")) {
      result.add(
          new Match(
              routeMatch(value, false, headers, params),
              RoutePrecedence.PathKind.EXACT,
              value.length(),
              method,
              headerCount,
              params.size()));
      return result;
    }
    if (type.equals("RegularExpression")) {
      result.add(
          new Match(
              RouteMatch.newBuilder()
                  .addAllHeaders(headers)
                  .addAllQueryParameters(params)
                  .setSafeRegex(regex(value))
                  .build(),
              RoutePrecedence.PathKind.REGULAR_EXPRESSION,
              value.length(),
              method,
              headerCount,
              params.size()));
      return result;
    }
    String prefix = value;
    while (prefix.length() > 1 && prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    if (prefix.equals("/")) {
      result.add(
          new Match(
              routeMatch("/", true, headers, params),
              RoutePrecedence.PathKind.PREFIX,
              1,
              method,
              headerCount,
              params.size()));
    } else {
      result.add(
          new Match(
              routeMatch(prefix, false, headers, params),
              RoutePrecedence.PathKind.PREFIX,
              prefix.length(),
              method,
              headerCount,
              params.size()));
      result.add(
          new Match(
              routeMatch(prefix + "/", true, headers, params),
              RoutePrecedence.PathKind.PREFIX,
              prefix.length(),
              method,
              headerCount,
              params.size()));
    }
    return result;
  }

  /**
   * An exact match on {@code value}, or a regular expression match when {@code type} is
   * RegularExpression.
   */
  static StringMatcher stringMatcher(String type, String value) {
    return "RegularExpression".equals(type)
        ? StringMatcher.newBuilder().setSafeRegex(regex(value)).build()
        : StringMatcher.newBuilder().setExact(value).build();
  }

  /** A {@code safe_regex} of {@code pattern}, for Envoy's default engine (RE2). */
  static RegexMatcher regex(String pattern) {
    return RegexMatcher.newBuilder().setRegex(pattern).build();
  }

  private static RouteMatch routeMatch(
      String path,
      boolean prefix,
      List<HeaderMatcher> headers,
      List<QueryParameterMatcher> params) {
    RouteMatch.Builder match =
        RouteMatch.newBuilder().addAllHeaders(headers).addAllQueryParameters(params);
    return (prefix ? match.setPrefix(path) : match.setPath(path)).build();
  }
}
