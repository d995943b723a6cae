package dev.fairlead.xds.translate;

import java.time.Instant;
import java.util.Comparator;

/**
 * Where an Envoy route goes in its virtual host, by the Gateway API rules for HTTPRoute match
 * precedence: an exact path before a regular expression before any prefix (the Gateway API leaves
 * regular expressions' place to implementations; Envoy Gateway orders them the same way), a longer
 * path (or pattern) before a shorter one, a method match before none, more header matches before
 * fewer, more query-parameter matches before fewer; then the older route, then the route first by
 * {@code namespace/name}; then the earlier rule, then the earlier match. Envoy takes the first
 * route that matches, so sorting by this order implements the precedence.
 *
 * @param pathLength length of the path value, after dropping trailing slashes of a prefix
 * @param created the route's creation timestamp; {@link Instant#MAX} when it has none
 * @param variant which of the Envoy routes one match became (a path prefix becomes an exact path
 *     and a prefix ending in {@code /}), so that every route has its own place
 */
record RoutePrecedence(
    PathKind pathKind,
    int pathLength,
    boolean method,
    int headers,
    int queryParams,
    Instant created,
    String namespace,
    String name,
    int rule,
    int match,
    int variant)
    implements Comparable<RoutePrecedence> {

  private static final Comparator<RoutePrecedence> ORDER =
      Comparator.comparing((RoutePrecedence p) -> p.pathKind())
          .thenComparing(RoutePrecedence::pathLength, Comparator.reverseOrder())
          .thenComparing(p -> !p.method())
          .thenComparing(RoutePrecedence::headers, Comparator.reverseOrder())
          .thenComparing(RoutePrecedence::queryParams, Comparator.reverseOrder())
          .thenComparing(RoutePrecedence::created)
          .thenComparing(RoutePrecedence::namespace)
          .thenComparing(RoutePrecedence::name)
          .thenComparingInt(RoutePrecedence::rule)
          .thenComparingInt(RoutePrecedence::match)
          .thenComparingInt(RoutePrecedence::variant);

  /** The kinds of path match, in the order they take precedence. */
  enum PathKind {
    EXACT,
    REGULAR_EXPRESSION,
    PREFIX
  }

  @Override
  public int compareTo(RoutePrecedence other) {
    return ORDER.compare(this, other);
  }
}
