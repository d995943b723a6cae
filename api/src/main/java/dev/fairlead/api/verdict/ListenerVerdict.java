package dev.fairlead.api.verdict;

import java.util.List;
import java.util.Objects;

/**
 * What the translator concluded about one listener of a Gateway, as the Gateway API's per-listener
 * status wants it.
 *
 * @param name the listener's name
 * @param accepted {@code Accepted}: false with {@code UnsupportedProtocol} for a protocol or TLS
 *     mode Fairlead does not serve, {@code UnsupportedValue} for a value it cannot honour
 * @param conflicted {@code Conflicted}: true with {@code HostnameConflict} or {@code
 *     ProtocolConflict} when the listener collides with another on its port; false ({@code
 *     NoConflicts}) otherwise
 * @param resolvedRefs {@code ResolvedRefs}: false with {@code InvalidCertificateRef}, {@code
 *     RefNotPermitted} or {@code InvalidRouteKinds}
 * @param programmed whether Fairlead programs the listener (it is served to the fleet's proxies)
 * @param supportedKinds the route kinds ({@code group/kind}) routes may attach to it as: those it
 *     asks for that Fairlead supports
 */
public record ListenerVerdict(
    String name,
    Condition accepted,
    Condition conflicted,
    Condition resolvedRefs,
    boolean programmed,
    List<String> supportedKinds) {

  public ListenerVerdict {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(accepted, "accepted");
    Objects.requireNonNull(conflicted, "conflicted");
    Objects.requireNonNull(resolvedRefs, "resolvedRefs");
    supportedKinds = List.copyOf(supportedKinds);
  }
}
