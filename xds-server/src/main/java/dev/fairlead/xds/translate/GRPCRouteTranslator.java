package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRefBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilterBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Translates GRPCRoutes ({@code gateway.networking.k8s.io/v1}) with the HTTPRoute machinery:
 * attachment to listeners that admit GRPCRoutes, hostnames, verdicts per parentRef, dropped rules
 * and backends are {@link HTTPRouteTranslator}'s, filters are the {@link HttpFeatures}' and
 * backendRefs the {@link BackendResolver}'s (Service backends get an HTTP/2 cluster of their own,
 * {@code …/h2c}; an Upstream's protocol is its own, so one used by a GRPCRoute should say {@code
 * protocol: GRPC}).
 *
 * <p>A method match becomes a match on the {@code :path} gRPC sends, {@code /<service>/<method>}:
 * with both given and type {@code Exact}, the exact path; a service alone, the prefix {@code
 * /<service>/}; a method alone, the regular expression {@code /[^/]+/<method>}; type {@code
 * RegularExpression}, the regular expression {@code /<service>/<method>}, a missing part being
 * {@code [^/]+}. Header matches are as for HTTPRoutes ({@code Exact} and {@code
 * RegularExpression}). Filters: {@code RequestHeaderModifier}, {@code ResponseHeaderModifier},
 * {@code RequestMirror}, on rules, and the header modifiers on backendRefs; {@code ExtensionRef}
 * and {@code sessionPersistence} are refused, dropping their rule.
 *
 * <p>Precedence follows the GRPCRoute rules: a match with both service and method of type Exact
 * first, then by the number of characters of the service, then of the method, then more header
 * matches; then the older route, then {@code namespace/name}, then rule and match order ({@link
 * RoutePrecedence}, where a GRPCRoute's path length is {@code 1000 × service characters + method
 * characters}).
 *
 * <p>Built once per translation; not thread-safe (as the {@link HTTPRouteTranslator} it uses).
 */
final class GRPCRouteTranslator {

  static final String KIND = "GRPCRoute";

  /** The Gateway API's rules for a service name (its CRD enforces the same). */
  private static final Pattern SERVICE =
      Pattern.compile("(?i)\\.?[a-z_][a-z_0-9]*(\\.[a-z_][a-z_0-9]*)*");

  /** The Gateway API's rules for a method name (its CRD enforces the same). */
  private static final Pattern METHOD = Pattern.compile("[A-Za-z_][A-Za-z_0-9]*");

  private static final Set<String> FILTER_TYPES =
      Set.of("RequestHeaderModifier", "ResponseHeaderModifier", RequestMirrorFilter.TYPE);
  private static final String ANY_PART = "[^/]+";

  private final HTTPRouteTranslator routes;

  GRPCRouteTranslator(HTTPRouteTranslator routes) {
    this.routes = routes;
  }

  /**
   * Translates {@code route}, recording in {@code reads} the Gateways and backends the result
   * depends on.
   */
  HTTPRouteTranslator.RouteTranslation translate(GRPCRoute route, Reads reads) {
    GRPCRouteSpec spec = route.getSpec() == null ? new GRPCRouteSpec() : route.getSpec();
    List<GRPCRouteRule> rules =
        spec.getRules() == null || spec.getRules().isEmpty()
            ? List.of(new GRPCRouteRule())
            : spec.getRules();
    return routes.translate(
        KIND,
        route,
        spec.getHostnames(),
        spec.getParentRefs(),
        rules.stream().<HTTPRouteTranslator.Rule>map(GrpcRule::new).toList(),
        reads);
  }

  /**
   * A GRPCRoute's rule, its filters and backendRefs in HTTPRoute form (filters of unsupported types
   * left out).
   */
  private record GrpcRule(GRPCRouteRule grpc, HTTPRouteRule http)
      implements HTTPRouteTranslator.Rule {

    GrpcRule(GRPCRouteRule grpc) {
      this(grpc, grpc == null ? null : httpForm(grpc));
    }

    @Override
    public List<String> problems(HTTPRouteRuleTranslator rules, String field) {
      if (grpc == null) {
        return List.of(field + ": required");
      }
      List<String> problems = new ArrayList<>();
      unsupportedFilters(grpc.getFilters(), field + ".filters", problems);
      List<GRPCBackendRef> refs = Objects.requireNonNullElse(grpc.getBackendRefs(), List.of());
      for (int k = 0; k < refs.size(); k++) {
        if (refs.get(k) != null) {
          unsupportedFilters(
              refs.get(k).getFilters(), field + ".backendRefs[" + k + "].filters", problems);
        }
      }
      if (grpc.getSessionPersistence() != null) {
        problems.add(field + ".sessionPersistence: not supported yet");
      }
      problems.addAll(rules.problems(http, field));
      List<GRPCRouteMatch> matches = Objects.requireNonNullElse(grpc.getMatches(), List.of());
      for (int j = 0; j < matches.size(); j++) {
        matchProblems(matches.get(j), field + ".matches[" + j + "]", problems);
      }
      return problems;
    }

    @Override
    public List<List<HTTPRouteRuleTranslator.Match>> matches() {
      List<GRPCRouteMatch> matches =
          grpc.getMatches() == null || grpc.getMatches().isEmpty()
              ? List.of(new GRPCRouteMatch())
              : grpc.getMatches();
      return matches.stream().map(match -> List.of(match(match))).toList();
    }
  }

  private static void unsupportedFilters(
      List<GRPCRouteFilter> filters, String field, List<String> problems) {
    List<GRPCRouteFilter> list = Objects.requireNonNullElse(filters, List.of());
    for (int i = 0; i < list.size(); i++) {
      GRPCRouteFilter filter = list.get(i);
      if (filter != null && filter.getType() != null && !FILTER_TYPES.contains(filter.getType())) {
        problems.add(
            field
                + "["
                + i
                + "].type: "
                + filter.getType()
                + " is not supported, only "
                + "RequestHeaderModifier, ResponseHeaderModifier, RequestMirror");
      }
    }
  }

  private static void matchProblems(GRPCRouteMatch match, String field, List<String> problems) {
    if (match == null) {
      problems.add(field + ": required");
      return;
    }
    GRPCMethodMatch method = match.getMethod();
    if (method != null) {
      String type = Objects.requireNonNullElse(method.getType(), "Exact");
      String at = field + ".method";
      if (type.equals("Exact")) {
        if (empty(method.getService()) && empty(method.getMethod())) {
          problems.add(at + ": one of service and method is required");
        }
        if (!empty(method.getService()) && !SERVICE.matcher(method.getService()).matches()) {
          problems.add(
              at
                  + ".service: must be a gRPC service name such as pkg.Service, was \""
                  + method.getService()
                  + "\"");
        }
        if (!empty(method.getMethod()) && !METHOD.matcher(method.getMethod()).matches()) {
          problems.add(
              at
                  + ".method: must be a gRPC method name such as GetThing, was \""
                  + method.getMethod()
                  + "\"");
        }
      } else if (type.equals("RegularExpression")) {
        int before = problems.size();
        if (!empty(method.getService())) {
          Re2Regex.problem(method.getService())
              .ifPresent(problem -> problems.add(at + ".service: " + problem));
        }
        if (!empty(method.getMethod())) {
          Re2Regex.problem(method.getMethod())
              .ifPresent(problem -> problems.add(at + ".method: " + problem));
        }
        // Each part may be fine while the path they make together is too large for Envoy.
        if (problems.size() == before
            && (!empty(method.getService()) || !empty(method.getMethod()))) {
          Re2Regex.problem(path(method)).ifPresent(problem -> problems.add(at + ": " + problem));
        }
      } else {
        problems.add(
            at
                + ".type: unsupported value "
                + type
                + ", only Exact and RegularExpression are supported");
      }
    }
    List<GRPCHeaderMatch> headers = Objects.requireNonNullElse(match.getHeaders(), List.of());
    for (int k = 0; k < headers.size(); k++) {
      GRPCHeaderMatch header = headers.get(k);
      HTTPRouteRuleTranslator.nameValueProblems(
          field + ".headers[" + k + "]",
          header == null ? null : header.getType(),
          header == null ? null : header.getName(),
          header == null ? null : header.getValue(),
          4096,
          problems);
    }
  }

  /**
   * The Envoy match of a GRPCRoute match that passed {@link #matchProblems}, with its precedence
   * inputs.
   */
  private static HTTPRouteRuleTranslator.Match match(GRPCRouteMatch match) {
    RouteMatch.Builder envoy = RouteMatch.newBuilder();
    Set<String> headerNames = new HashSet<>();
    for (GRPCHeaderMatch header :
        Objects.requireNonNullElse(match.getHeaders(), List.<GRPCHeaderMatch>of())) {
      String name = header.getName().toLowerCase(Locale.ROOT);
      // Header names are case-insensitive; only the first match on a name counts.
      if (headerNames.add(name)) {
        envoy.addHeaders(
            HeaderMatcher.newBuilder()
                .setName(name)
                .setStringMatch(
                    HTTPRouteRuleTranslator.stringMatcher(header.getType(), header.getValue())));
      }
    }
    GRPCMethodMatch method = match.getMethod();
    RoutePrecedence.PathKind kind = RoutePrecedence.PathKind.REGULAR_EXPRESSION;
    int length = 0;
    if (method == null || (empty(method.getService()) && empty(method.getMethod()))) {
      envoy.setPrefix("/");
    } else {
      String service = Objects.requireNonNullElse(method.getService(), "");
      String name = Objects.requireNonNullElse(method.getMethod(), "");
      length = 1000 * service.length() + name.length();
      boolean exact = !"RegularExpression".equals(method.getType());
      if (exact && !service.isEmpty() && !name.isEmpty()) {
        envoy.setPath("/" + service + "/" + name);
        kind = RoutePrecedence.PathKind.EXACT;
      } else if (exact && name.isEmpty()) {
        envoy.setPrefix("/" + service + "/");
      } else if (exact) {
        envoy.setSafeRegex(HTTPRouteRuleTranslator.regex("/" + ANY_PART + "/" + name));
      } else {
        envoy.setSafeRegex(HTTPRouteRuleTranslator.regex(path(method)));
      }
    }
    return new HTTPRouteRuleTranslator.Match(
        envoy.build(), kind, length, false, headerNames.size(), 0);
  }

  /** The regular expression of the path a RegularExpression method match stands for. */
  private static String path(GRPCMethodMatch method) {
    return "/"
        + (empty(method.getService()) ? ANY_PART : method.getService())
        + "/"
        + (empty(method.getMethod()) ? ANY_PART : method.getMethod());
  }

  /**
   * {@code rule}'s filters and backendRefs as an HTTPRoute rule's, without filters of unsupported
   * types.
   */
  private static HTTPRouteRule httpForm(GRPCRouteRule rule) {
    HTTPRouteRule http = new HTTPRouteRule();
    http.setFilters(filters(rule.getFilters()));
    if (rule.getBackendRefs() != null) {
      List<HTTPBackendRef> refs = new ArrayList<>();
      for (GRPCBackendRef ref : rule.getBackendRefs()) {
        refs.add(
            ref == null
                ? null
                : new HTTPBackendRefBuilder()
                    .withGroup(ref.getGroup())
                    .withKind(ref.getKind())
                    .withName(ref.getName())
                    .withNamespace(ref.getNamespace())
                    .withPort(ref.getPort())
                    .withWeight(ref.getWeight())
                    .withFilters(filters(ref.getFilters()))
                    .build());
      }
      http.setBackendRefs(refs);
    }
    return http;
  }

  private static List<HTTPRouteFilter> filters(List<GRPCRouteFilter> filters) {
    if (filters == null) {
      return null;
    }
    List<HTTPRouteFilter> converted = new ArrayList<>();
    for (GRPCRouteFilter filter : filters) {
      if (filter == null || filter.getType() == null || FILTER_TYPES.contains(filter.getType())) {
        converted.add(
            filter == null
                ? null
                : new HTTPRouteFilterBuilder()
                    .withType(filter.getType())
                    .withRequestHeaderModifier(filter.getRequestHeaderModifier())
                    .withResponseHeaderModifier(filter.getResponseHeaderModifier())
                    .withRequestMirror(filter.getRequestMirror())
                    .build());
      }
    }
    return converted;
  }

  private static boolean empty(String value) {
    return value == null || value.isEmpty();
  }
}
