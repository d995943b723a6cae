package dev.fairlead.xds.translate;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Gateway API hostname: a lower-case DNS name ({@code foo.example.com}) or a wildcard one ({@code
 * *.example.com}, which stands for one or more labels in front of {@code .example.com}).
 *
 * <p>Implements the Gateway API rule for which requests a route attached to a listener serves: the
 * intersection of the listener's hostname and the route's.
 */
record Hostname(String value) {

  private static final Pattern SYNTAX =
      Pattern.compile("(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  Hostname {
    Objects.requireNonNull(value, "value");
  }

  /** What is wrong with {@code value} as a Gateway API hostname, if anything. */
  static Optional<String> problem(String value) {
    if (value == null || value.isEmpty() || value.length() > 253) {
      return Optional.of("must be 1-253 characters");
    }
    if (UpstreamValidator.isIpAddress(value)) {
      return Optional.of("must be a DNS name, not an IP address, was " + value);
    }
    if (!SYNTAX.matcher(value).matches()) {
      return Optional.of(
          "must be a lower-case DNS name, optionally starting with *., was \"" + value + "\"");
    }
    return Optional.empty();
  }

  boolean isWildcard() {
    return value.startsWith("*.");
  }

  /**
   * The hostnames both this and {@code other} match, as one hostname: the more specific of the two
   * when one covers the other, none when they are disjoint.
   */
  Optional<Hostname> intersect(Hostname other) {
    if (covers(other)) {
      return Optional.of(other);
    }
    if (other.covers(this)) {
      return Optional.of(this);
    }
    return Optional.empty();
  }

  /** Whether every name {@code other} matches is matched by this hostname too. */
  private boolean covers(Hostname other) {
    if (!isWildcard()) {
      return value.equals(other.value);
    }
    String suffix = value.substring(1);
    return other.value.endsWith(suffix) && other.value.length() > suffix.length();
  }
}
