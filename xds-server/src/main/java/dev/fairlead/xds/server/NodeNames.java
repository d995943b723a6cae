package dev.fairlead.xds.server;

import dev.fairlead.api.log.Shown;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.util.Locale;
import java.util.Optional;

/**
 * What a stream's {@code node.id} and {@code node.cluster} must be before Fairlead keeps them: at
 * most {@value #MAX_LENGTH} characters, none of them a control, line-separator or bidirectional
 * control character ({@link Shown#escaped}). Both are the client's own words, and Fairlead writes
 * them into its log, into {@code fairlead proxy-status} and into the fleet records other replicas
 * read: a line break there could forge a log line, an escape sequence restyle an operator's
 * terminal, and a megabyte-long id swell every record that lists it. Envoy, gRPC's xDS clients and
 * Kubernetes-derived ids (pod and namespace names, IP addresses) are far inside those bounds.
 */
final class NodeNames {

  /** The longest {@code node.id} or {@code node.cluster} accepted, in characters. */
  static final int MAX_LENGTH = 1024;

  private NodeNames() {}

  /**
   * Why {@code node} cannot be served, in words for the client's log, or empty if it can. Names the
   * field, and the offending character's code point and index.
   */
  static Optional<String> problem(Node node) {
    return problem("node.id", node.getId()).or(() -> problem("node.cluster", node.getCluster()));
  }

  private static Optional<String> problem(String field, String value) {
    if (value.length() > MAX_LENGTH) {
      return Optional.of(
          field
              + " is "
              + value.length()
              + " characters long; at most "
              + MAX_LENGTH
              + " are accepted");
    }
    int at = Shown.firstEscaped(value);
    if (at >= 0) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "%s has the control character U+%04X at index %d; it must be printable text",
              field,
              (int) value.charAt(at),
              at));
    }
    return Optional.empty();
  }
}
