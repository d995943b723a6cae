package dev.fairlead.api.params;

import java.util.Objects;
import java.util.Optional;

/**
 * The identity of one Gateway's proxies, as a SPIFFE-style URI {@code
 * spiffe://fairlead/ns/<namespace>/gateway/<name>} in the subject alternative names of the client
 * certificate Fairlead issues to that Gateway's managed fleet. The xDS server binds it to {@code
 * node.cluster}: a client with this identity gets only the fleet {@link #fleet()}.
 *
 * <p>Namespace and Gateway names are DNS labels and subdomains (no {@code /}), so the URI reads
 * back unambiguously.
 */
public record ProxyIdentity(String namespace, String gateway) {

  /**
   * Every identity URI starts with this; a URI of another trust domain or form is not a Fairlead
   * identity.
   */
  public static final String URI_PREFIX = "spiffe://fairlead/ns/";

  private static final String GATEWAY_SEGMENT = "/gateway/";

  public ProxyIdentity {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(gateway, "gateway");
    if (namespace.isEmpty()
        || gateway.isEmpty()
        || namespace.contains("/")
        || gateway.contains("/")) {
      throw new IllegalArgumentException(
          "a proxy identity needs a namespace and a Gateway name without '/', was "
              + namespace
              + "/"
              + gateway);
    }
  }

  /** The identity's URI, a subject alternative name of its certificate. */
  public String uri() {
    return URI_PREFIX + namespace + GATEWAY_SEGMENT + gateway;
  }

  /** The fleet ({@code node.cluster}) this identity may ask for: {@code <namespace>/<gateway>}. */
  public String fleet() {
    return namespace + "/" + gateway;
  }

  /** The identity a URI names, or empty when it is not of the form {@link #uri()}. */
  public static Optional<ProxyIdentity> parse(String uri) {
    if (uri == null || !uri.startsWith(URI_PREFIX)) {
      return Optional.empty();
    }
    String rest = uri.substring(URI_PREFIX.length());
    int separator = rest.indexOf(GATEWAY_SEGMENT);
    if (separator <= 0) {
      return Optional.empty();
    }
    String namespace = rest.substring(0, separator);
    String gateway = rest.substring(separator + GATEWAY_SEGMENT.length());
    if (namespace.contains("/") || gateway.isEmpty() || gateway.contains("/")) {
      return Optional.empty();
    }
    return Optional.of(new ProxyIdentity(namespace, gateway));
  }

  @Override
  public String toString() {
    return uri();
  }
}
