package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ListenerVerdict;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedRoutes;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerTLSConfig;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Decides which listeners of a Gateway Fairlead programs, and gives the Gateway and each listener
 * its verdict, with the conditions the Gateway API defines for listeners.
 *
 * <ul>
 *   <li><b>Accepted</b>: protocols {@code HTTP} and {@code HTTPS} with {@code tls.mode: Terminate}
 *       are served; any other protocol, or {@code tls.mode: Passthrough}, is {@code
 *       UnsupportedProtocol}. A port out of range, an invalid hostname or an {@code
 *       allowedRoutes.namespaces} that cannot be honoured is {@code UnsupportedValue}. A listener
 *       without a name, or repeating an earlier one's, has no status entry of its own: the
 *       Gateway's message names it.
 *   <li><b>Conflicted</b>: listeners on one port with different protocols are all in {@code
 *       ProtocolConflict}; listeners on one port with the same hostname (or both without) are all
 *       in {@code HostnameConflict}. A conflicted listener is not programmed, so no proxy serves
 *       one of two listeners by chance of order.
 *   <li><b>ResolvedRefs</b>: {@code allowedRoutes.kinds} asking for a kind other than HTTPRoute or
 *       GRPCRoute is {@code InvalidRouteKinds}, and {@code supportedKinds} lists the kinds asked
 *       for that Fairlead supports (none: the listener is not programmed; none either on a protocol
 *       Fairlead does not serve). An HTTPS listener's {@code tls.certificateRefs} must name Secrets
 *       (core group) of type {@code kubernetes.io/tls} whose certificate and key {@link
 *       CertificateSecrets} accepts ({@code InvalidCertificateRef} otherwise), in the Gateway's
 *       namespace or in another one that grants it with a ReferenceGrant ({@code RefNotPermitted}
 *       otherwise; a grant removed revokes at the next translation). The listener is served with
 *       the certificates that resolve, and is not programmed when none does.
 * </ul>
 *
 * <p>The Gateway is accepted while it has at least one programmed listener ({@code
 * ListenersNotValid} when some listener is not programmed), and not accepted when it has none. Its
 * {@code ResolvedRefs} is false with the first listener's reason when any listener's is.
 *
 * <p>Every lookup outside the Gateway (Secrets, ReferenceGrants) goes through the translation's
 * {@link Reads}. Only Gateways of an accepted GatewayClass of Fairlead's ({@link
 * GatewayClassTranslator}) come here: each of them is a fleet. Stateless and thread-safe.
 */
final class GatewayTranslator {

  static final String KIND = "Gateway";
  static final String GROUP = "gateway.networking.k8s.io";
  static final String HTTP_ROUTE = GROUP + "/HTTPRoute";
  static final String GRPC_ROUTE = GROUP + "/GRPCRoute";

  private final Function<String, io.fabric8.kubernetes.api.model.Secret> secrets;
  private final ReferenceGrants grants;

  /**
   * @param secrets the state's Secrets of type {@code kubernetes.io/tls} by {@code namespace/name}
   *     (null for none)
   * @param grants the state's ReferenceGrants
   */
  GatewayTranslator(
      Function<String, io.fabric8.kubernetes.api.model.Secret> secrets, ReferenceGrants grants) {
    this.secrets = secrets;
    this.grants = grants;
  }

  /**
   * A listener Fairlead programs.
   *
   * @param hostname empty when the listener matches every hostname
   * @param namespaces which namespaces routes may attach from
   * @param tls for HTTPS, the names of the SDS secrets it serves (at least one); empty for HTTP
   * @param routeKinds the kinds of route that may attach ({@value HTTPRouteTranslator#KIND},
   *     {@value GRPCRouteTranslator#KIND})
   */
  record AcceptedListener(
      String name,
      int port,
      Optional<Hostname> hostname,
      RouteNamespaces namespaces,
      Optional<List<String>> tls,
      Set<String> routeKinds) {}

  /**
   * A Gateway as the route translation needs it.
   *
   * @param fleet {@code <namespace>/<name>}
   * @param listeners the listeners Fairlead programs, in spec order
   * @param unserved the listeners routes attach to that no proxy serves: accepted, not conflicted,
   *     asking for a route kind Fairlead supports, but HTTPS with no certificateRef that resolves
   *     (their {@code tls} is empty). The Gateway API counts a route attached by its parentRefs and
   *     the listener's allowedRoutes alone, so a listener waiting for its certificate still shows
   *     its routes.
   * @param secrets the SDS secrets its HTTPS listeners serve, by name
   */
  record GatewayListeners(
      String fleet,
      String namespace,
      List<AcceptedListener> listeners,
      List<AcceptedListener> unserved,
      List<Secret> secrets,
      Verdict verdict) {}

  /** A named listener on its way through the checks. */
  private static final class Candidate {

    final int index;
    final Listener listener;
    final String field;
    Condition accepted;
    Condition conflicted = new Condition.False("NoConflicts", "no conflict with another listener");
    Condition resolvedRefs = new Condition.True("ResolvedRefs", "all references resolved");
    List<String> supportedKinds = List.of(HTTP_ROUTE, GRPC_ROUTE);
    Optional<Hostname> hostname = Optional.empty();
    RouteNamespaces namespaces = new RouteNamespaces.Same();
    List<String> secretNames = List.of();

    Candidate(int index, Listener listener) {
      this.index = index;
      this.listener = listener;
      this.field = "spec.listeners[" + index + "] (" + listener.getName() + ")";
    }

    /**
     * Whether routes attach to it: accepted, not conflicted, asking for a route kind Fairlead
     * supports.
     */
    boolean attachable() {
      return accepted.isTrue() && !conflicted.isTrue() && !supportedKinds.isEmpty();
    }

    boolean programmable() {
      return attachable() && (!isHttps() || !secretNames.isEmpty());
    }

    boolean isHttps() {
      return "HTTPS".equals(listener.getProtocol());
    }
  }

  GatewayListeners translate(Gateway gateway, Reads reads) {
    ObjectRef ref = ObjectRef.of(KIND, gateway);
    List<Listener> listeners =
        gateway.getSpec() == null || gateway.getSpec().getListeners() == null
            ? List.of()
            : gateway.getSpec().getListeners();
    SortedMap<Integer, String> problems = new TreeMap<>();
    List<Candidate> candidates = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      Listener listener = listeners.get(i);
      if (listener == null || listener.getName() == null || listener.getName().isEmpty()) {
        problems.put(i, "spec.listeners[" + i + "].name: required");
      } else if (!names.add(listener.getName())) {
        problems.put(
            i,
            "spec.listeners["
                + i
                + "] ("
                + listener.getName()
                + ").name: another listener has this name");
      } else {
        Candidate candidate = new Candidate(i, listener);
        candidate.accepted = accepted(candidate);
        candidates.add(candidate);
      }
    }
    markConflicts(candidates);
    Map<String, Secret> servedSecrets = new LinkedHashMap<>();
    for (Candidate candidate : candidates) {
      routeKinds(candidate);
      if (candidate.accepted.isTrue() && candidate.isHttps()) {
        certificates(candidate, ref.namespace(), reads, servedSecrets);
      }
    }

    List<AcceptedListener> accepted = new ArrayList<>();
    List<AcceptedListener> unserved = new ArrayList<>();
    List<ListenerVerdict> verdicts = new ArrayList<>();
    for (Candidate candidate : candidates) {
      boolean programmed = candidate.programmable();
      if (programmed) {
        accepted.add(
            attachable(
                candidate,
                candidate.isHttps() ? Optional.of(candidate.secretNames) : Optional.empty()));
      } else {
        problems.put(candidate.index, whyNotProgrammed(candidate));
        if (candidate.attachable()) {
          unserved.add(attachable(candidate, Optional.empty()));
        }
      }
      verdicts.add(
          new ListenerVerdict(
              candidate.listener.getName(),
              candidate.accepted,
              candidate.conflicted,
              candidate.resolvedRefs,
              programmed,
              candidate.supportedKinds));
    }
    Set<String> usedSecrets = new HashSet<>();
    accepted.forEach(listener -> listener.tls().ifPresent(usedSecrets::addAll));
    List<Secret> secretsServed =
        servedSecrets.values().stream()
            .filter(secret -> usedSecrets.contains(secret.getName()))
            .toList();

    Condition acceptedCondition;
    if (listeners.isEmpty()) {
      acceptedCondition =
          new Condition.False("ListenersNotValid", "spec.listeners: the Gateway has no listener");
    } else if (accepted.isEmpty()) {
      acceptedCondition =
          new Condition.False(
              "ListenersNotValid",
              "no listener can be programmed: " + String.join("; ", problems.values()));
    } else if (!problems.isEmpty()) {
      acceptedCondition =
          new Condition.True(
              "ListenersNotValid",
              programmed(accepted) + "; left out: " + String.join("; ", problems.values()));
    } else {
      acceptedCondition = new Condition.True("Accepted", programmed(accepted));
    }
    List<Condition> unresolved =
        candidates.stream().map(c -> c.resolvedRefs).filter(c -> !c.isTrue()).toList();
    Condition resolvedRefs =
        unresolved.isEmpty()
            ? new Condition.True("ResolvedRefs", "all references resolved")
            : new Condition.False(
                unresolved.get(0).reason(),
                String.join("; ", unresolved.stream().map(Condition::message).toList()));
    return new GatewayListeners(
        ref.key(),
        ref.namespace(),
        List.copyOf(accepted),
        List.copyOf(unserved),
        secretsServed,
        new Verdict(ref, Optional.empty(), acceptedCondition, resolvedRefs, verdicts));
  }

  /** {@code candidate} as routes attach to it, serving {@code tls}. */
  private static AcceptedListener attachable(Candidate candidate, Optional<List<String>> tls) {
    return new AcceptedListener(
        candidate.listener.getName(),
        candidate.listener.getPort(),
        candidate.hostname,
        candidate.namespaces,
        tls,
        candidate.supportedKinds.stream()
            .map(k -> k.substring(k.lastIndexOf('/') + 1))
            .collect(java.util.stream.Collectors.toUnmodifiableSet()));
  }

  private static String programmed(List<AcceptedListener> listeners) {
    return "programmed listener"
        + (listeners.size() == 1 ? " " : "s ")
        + String.join(
            ", ", listeners.stream().map(l -> l.name() + " (port " + l.port() + ")").toList());
  }

  private static String whyNotProgrammed(Candidate candidate) {
    if (!candidate.accepted.isTrue()) {
      return candidate.accepted.message();
    }
    if (candidate.conflicted.isTrue()) {
      return candidate.conflicted.message();
    }
    return candidate.resolvedRefs.message();
  }

  /** The listener's Accepted condition; records its hostname and namespaces when it has one. */
  private static Condition accepted(Candidate candidate) {
    Listener listener = candidate.listener;
    String field = candidate.field;
    String protocol = listener.getProtocol();
    if (!"HTTP".equals(protocol) && !"HTTPS".equals(protocol)) {
      return new Condition.False(
          "UnsupportedProtocol",
          field
              + ".protocol: unsupported value "
              + protocol
              + ", only HTTP and HTTPS are supported");
    }
    if (candidate.isHttps()) {
      ListenerTLSConfig tls = listener.getTls();
      String mode = tls == null || tls.getMode() == null ? "Terminate" : tls.getMode();
      if (!mode.equals("Terminate")) {
        return new Condition.False(
            "UnsupportedProtocol",
            field
                + ".tls.mode: unsupported value "
                + mode
                + ", only Terminate is supported (TLS passthrough is not)");
      }
    }
    if (listener.getPort() == null || listener.getPort() < 1 || listener.getPort() > 65535) {
      return new Condition.False(
          "UnsupportedValue", field + ".port: must be 1-65535, was " + listener.getPort());
    }
    if (listener.getHostname() != null) {
      Optional<String> hostnameProblem = Hostname.problem(listener.getHostname());
      if (hostnameProblem.isPresent()) {
        return new Condition.False(
            "UnsupportedValue", field + ".hostname: " + hostnameProblem.get());
      }
      candidate.hostname = Optional.of(new Hostname(listener.getHostname()));
    }
    AllowedRoutes allowed = listener.getAllowedRoutes();
    RouteNamespaces.Result namespaces =
        RouteNamespaces.of(
            field + ".allowedRoutes.namespaces", allowed == null ? null : allowed.getNamespaces());
    if (namespaces.problem().isPresent()) {
      return new Condition.False("UnsupportedValue", namespaces.problem().get());
    }
    candidate.namespaces = namespaces.namespaces().orElseThrow();
    return new Condition.True("Accepted", "the listener is valid");
  }

  /**
   * Marks the accepted listeners that collide on a port: different protocols on one port (all of
   * them), or one hostname twice on a port (those that share it).
   */
  private static void markConflicts(List<Candidate> candidates) {
    Map<Integer, List<Candidate>> byPort = new LinkedHashMap<>();
    candidates.stream()
        .filter(c -> c.accepted.isTrue())
        .forEach(c -> byPort.computeIfAbsent(c.listener.getPort(), p -> new ArrayList<>()).add(c));
    byPort.forEach(
        (port, onPort) -> {
          Set<String> protocols = new HashSet<>();
          onPort.forEach(c -> protocols.add(c.listener.getProtocol()));
          if (protocols.size() > 1) {
            onPort.forEach(
                c ->
                    c.conflicted =
                        new Condition.True(
                            "ProtocolConflict",
                            c.field
                                + ".protocol: "
                                + c.listener.getProtocol()
                                + " on port "
                                + port
                                + ", where another listener of the Gateway has "
                                + "another protocol"));
            return;
          }
          Map<String, List<Candidate>> byHostname = new HashMap<>();
          onPort.forEach(
              c ->
                  byHostname
                      .computeIfAbsent(
                          c.hostname.map(Hostname::value).orElse(""), h -> new ArrayList<>())
                      .add(c));
          byHostname.values().stream()
              .filter(same -> same.size() > 1)
              .flatMap(List::stream)
              .forEach(
                  c ->
                      c.conflicted =
                          new Condition.True(
                              "HostnameConflict",
                              c.field
                                  + ".hostname: another "
                                  + "listener on port "
                                  + port
                                  + " has hostname "
                                  + c.hostname.map(Hostname::value).orElse("(none)")));
        });
  }

  /**
   * Sets the listener's supported kinds, and its ResolvedRefs to InvalidRouteKinds if it asks for
   * others. A listener whose protocol Fairlead does not serve ({@code UnsupportedProtocol})
   * supports no route kind.
   */
  private static void routeKinds(Candidate candidate) {
    kindsAskedFor(candidate);
    if (!candidate.accepted.isTrue() && "UnsupportedProtocol".equals(candidate.accepted.reason())) {
      candidate.supportedKinds = List.of();
    }
  }

  /**
   * The kinds of {@code allowedRoutes.kinds} Fairlead supports, and InvalidRouteKinds for others.
   */
  private static void kindsAskedFor(Candidate candidate) {
    AllowedRoutes allowed = candidate.listener.getAllowedRoutes();
    if (allowed == null || allowed.getKinds() == null || allowed.getKinds().isEmpty()) {
      return;
    }
    List<String> supported = new ArrayList<>();
    List<String> others = new ArrayList<>();
    for (RouteGroupKind kind : allowed.getKinds()) {
      String group = Objects.requireNonNullElse(kind.getGroup(), GROUP);
      String groupKind = group + "/" + kind.getKind();
      if (groupKind.equals(HTTP_ROUTE) || groupKind.equals(GRPC_ROUTE)) {
        if (!supported.contains(groupKind)) {
          supported.add(groupKind);
        }
      } else {
        others.add(groupKind);
      }
    }
    candidate.supportedKinds = List.copyOf(supported);
    if (!others.isEmpty()) {
      candidate.resolvedRefs =
          new Condition.False(
              "InvalidRouteKinds",
              candidate.field
                  + ".allowedRoutes.kinds: "
                  + String.join(", ", others)
                  + " not supported, only HTTPRoute and GRPCRoute");
    }
  }

  /**
   * Resolves an HTTPS listener's certificate references: the Envoy secrets of those that resolve go
   * into {@code served} and their names into the listener; the first that does not sets its
   * ResolvedRefs.
   */
  private void certificates(
      Candidate candidate, String gatewayNamespace, Reads reads, Map<String, Secret> served) {
    ListenerTLSConfig tls = candidate.listener.getTls();
    List<SecretObjectReference> refs =
        tls == null || tls.getCertificateRefs() == null ? List.of() : tls.getCertificateRefs();
    if (refs.isEmpty()) {
      candidate.resolvedRefs =
          new Condition.False(
              "InvalidCertificateRef",
              candidate.field
                  + ".tls.certificateRefs: an HTTPS listener needs at least one certificate");
      return;
    }
    List<String> names = new ArrayList<>();
    List<Condition.False> failures = new ArrayList<>();
    for (int k = 0; k < refs.size(); k++) {
      String field = candidate.field + ".tls.certificateRefs[" + k + "]";
      SecretObjectReference ref = refs.get(k);
      String group = Objects.requireNonNullElse(ref.getGroup(), "");
      String kind = Objects.requireNonNullElse(ref.getKind(), "Secret");
      if (!group.isEmpty() || !kind.equals("Secret")) {
        failures.add(
            new Condition.False(
                "InvalidCertificateRef",
                field
                    + ": refers to "
                    + (group.isEmpty() ? "" : group + "/")
                    + kind
                    + ", only Secrets (core group) are supported"));
        continue;
      }
      String namespace =
          ref.getNamespace() == null || ref.getNamespace().isEmpty()
              ? gatewayNamespace
              : ref.getNamespace();
      String name = namespace + "/" + ref.getName();
      ReferenceGrants.Reference reference =
          new ReferenceGrants.Reference(
              GROUP,
              KIND,
              gatewayNamespace,
              "",
              "Secret",
              namespace,
              Objects.requireNonNullElse(ref.getName(), ""));
      if (!grants.permits(reference, reads)) {
        failures.add(
            new Condition.False(
                "RefNotPermitted",
                field
                    + ": Secret "
                    + name
                    + " is in another namespace, "
                    + "which needs "
                    + reference.grantNeeded()));
        continue;
      }
      io.fabric8.kubernetes.api.model.Secret secret =
          reads.read(Reads.Source.SECRET, name, secrets.apply(name));
      if (secret == null) {
        failures.add(
            new Condition.False(
                "InvalidCertificateRef",
                field + ": Secret " + name + " of type kubernetes.io/tls not found"));
        continue;
      }
      if (!served.containsKey(name)) {
        CertificateSecrets.Result read = CertificateSecrets.read(secret, name);
        if (read instanceof CertificateSecrets.Result.Invalid invalid) {
          failures.add(
              new Condition.False(
                  "InvalidCertificateRef", field + ": Secret " + name + ": " + invalid.problem()));
          continue;
        }
        served.put(name, ((CertificateSecrets.Result.Valid) read).secret());
      }
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    candidate.secretNames = List.copyOf(names);
    if (!failures.isEmpty()) {
      candidate.resolvedRefs =
          new Condition.False(
              failures.get(0).reason(),
              String.join("; ", failures.stream().map(Condition.False::message).toList())
                  + (names.isEmpty() ? "" : "; served with the certificates that resolve"));
    }
  }
}
