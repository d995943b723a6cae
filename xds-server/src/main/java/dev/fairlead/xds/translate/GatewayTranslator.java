package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.AllowedRoutes;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides which listeners of a Gateway Fairlead programs, and gives the Gateway its verdict.
 *
 * <p>Only {@code HTTP} listeners are supported. A listener is left out, with the reason in the Gateway's
 * verdict, when its protocol is not HTTP, its port is out of range, its name repeats an earlier one, its hostname
 * is invalid or repeats another listener's on the same port, or its {@code allowedRoutes} cannot be honoured
 * ({@code namespaces.from: Selector} needs namespace labels the state does not carry; {@code kinds} without
 * HTTPRoute or GRPCRoute). The other listeners still work: the Gateway is accepted while it has at least one
 * ({@code ListenersNotValid} when some were left out), and not accepted when it has none. An HTTP listener admits
 * HTTPRoutes and GRPCRoutes, or those of them its {@code allowedRoutes.kinds} lists; other route kinds there make
 * resolvedRefs false ({@code InvalidRouteKinds}).
 *
 * <p>Only Gateways of an accepted GatewayClass of Fairlead's ({@link GatewayClassTranslator}) come here: each of
 * them is a fleet. Stateless and thread-safe.
 */
final class GatewayTranslator {

  static final String KIND = "Gateway";
  static final String GROUP = "gateway.networking.k8s.io";

  /**
   * A listener Fairlead programs.
   *
   * @param hostname      empty when the listener matches every hostname
   * @param allNamespaces whether routes from every namespace may attach ({@code from: All}); otherwise only routes
   *                      in the Gateway's namespace may
   * @param routeKinds    the kinds of route that may attach ({@value HTTPRouteTranslator#KIND},
   *                      {@value GRPCRouteTranslator#KIND})
   */
  record AcceptedListener(String name, int port, Optional<Hostname> hostname, boolean allNamespaces,
      Set<String> routeKinds) {
  }

  /** The route kinds an HTTP listener serves, and admits when its {@code allowedRoutes.kinds} is empty. */
  static final Set<String> ROUTE_KINDS = Set.of(HTTPRouteTranslator.KIND, GRPCRouteTranslator.KIND);

  /**
   * A Gateway as the route translation needs it.
   *
   * @param fleet     {@code <namespace>/<name>}
   * @param listeners the listeners Fairlead programs, in spec order
   */
  record GatewayListeners(String fleet, String namespace, List<AcceptedListener> listeners, Verdict verdict) {
  }

  GatewayListeners translate(Gateway gateway) {
    ObjectRef ref = ObjectRef.of(KIND, gateway);
    List<Listener> listeners = gateway.getSpec() == null || gateway.getSpec().getListeners() == null
        ? List.of() : gateway.getSpec().getListeners();
    List<AcceptedListener> accepted = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    List<String> routeKindProblems = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> portHostnames = new HashSet<>();
    for (int i = 0; i < listeners.size(); i++) {
      String field = "spec.listeners[" + i + "]";
      Listener listener = listeners.get(i);
      Optional<String> problem = problem(field, listener, names, portHostnames);
      if (problem.isPresent()) {
        problems.add(problem.get());
        continue;
      }
      Optional<String> kindProblem = otherRouteKinds(field, listener.getAllowedRoutes());
      kindProblem.ifPresent(routeKindProblems::add);
      AllowedRoutes allowed = listener.getAllowedRoutes();
      boolean all = allowed != null && allowed.getNamespaces() != null
          && "All".equals(allowed.getNamespaces().getFrom());
      accepted.add(new AcceptedListener(listener.getName(), listener.getPort(),
          Optional.ofNullable(listener.getHostname()).map(Hostname::new), all, routeKinds(allowed)));
    }
    Condition acceptedCondition;
    if (listeners.isEmpty()) {
      acceptedCondition = new Condition.False("ListenersNotValid", "spec.listeners: the Gateway has no listener");
    } else if (accepted.isEmpty()) {
      acceptedCondition = new Condition.False("ListenersNotValid",
          "no listener can be programmed: " + String.join("; ", problems));
    } else if (!problems.isEmpty()) {
      acceptedCondition = new Condition.True("ListenersNotValid", programmed(accepted) + "; left out: "
          + String.join("; ", problems));
    } else {
      acceptedCondition = new Condition.True("Accepted", programmed(accepted));
    }
    Condition resolvedRefs = routeKindProblems.isEmpty()
        ? new Condition.True("ResolvedRefs", "all references resolved")
        : new Condition.False("InvalidRouteKinds", String.join("; ", routeKindProblems));
    return new GatewayListeners(ref.key(), ref.namespace(), List.copyOf(accepted),
        new Verdict(ref, Optional.empty(), acceptedCondition, resolvedRefs));
  }

  private static String programmed(List<AcceptedListener> listeners) {
    return "programmed listener" + (listeners.size() == 1 ? " " : "s ")
        + String.join(", ", listeners.stream().map(l -> l.name() + " (port " + l.port() + ")").toList());
  }

  /** Why {@code listener} cannot be programmed, if it cannot; records its name and port+hostname otherwise. */
  private static Optional<String> problem(String field, Listener listener, Set<String> names,
      Set<String> portHostnames) {
    if (listener == null) {
      return Optional.of(field + ": required");
    }
    if (listener.getName() == null || listener.getName().isEmpty()) {
      return Optional.of(field + ".name: required");
    }
    String named = field + " (" + listener.getName() + ")";
    if (!names.add(listener.getName())) {
      return Optional.of(named + ".name: another listener has this name");
    }
    if (!"HTTP".equals(listener.getProtocol())) {
      return Optional.of(named + ".protocol: unsupported value " + listener.getProtocol() + ", only HTTP is supported");
    }
    if (listener.getPort() == null || listener.getPort() < 1 || listener.getPort() > 65535) {
      return Optional.of(named + ".port: must be 1-65535, was " + listener.getPort());
    }
    if (listener.getHostname() != null) {
      Optional<String> hostnameProblem = Hostname.problem(listener.getHostname());
      if (hostnameProblem.isPresent()) {
        return Optional.of(named + ".hostname: " + hostnameProblem.get());
      }
    }
    AllowedRoutes allowed = listener.getAllowedRoutes();
    if (allowed != null && allowed.getNamespaces() != null && allowed.getNamespaces().getFrom() != null) {
      String from = allowed.getNamespaces().getFrom();
      if (!from.equals("Same") && !from.equals("All")) {
        return Optional.of(named + ".allowedRoutes.namespaces.from: unsupported value " + from
            + ", only Same and All are supported");
      }
    }
    if (allowed != null && allowed.getKinds() != null && !allowed.getKinds().isEmpty()
        && allowed.getKinds().stream().noneMatch(GatewayTranslator::isSupportedRouteKind)) {
      return Optional.of(named + ".allowedRoutes.kinds: includes neither HTTPRoute nor GRPCRoute, the route kinds "
          + "supported");
    }
    String portHostname = listener.getPort() + " " + Objects.requireNonNullElse(listener.getHostname(), "*");
    if (!portHostnames.add(portHostname)) {
      return Optional.of(named + ".hostname: another listener on port " + listener.getPort() + " has hostname "
          + Objects.requireNonNullElse(listener.getHostname(), "(none)") + " (HostnameConflict)");
    }
    return Optional.empty();
  }

  private static Optional<String> otherRouteKinds(String field, AllowedRoutes allowed) {
    if (allowed == null || allowed.getKinds() == null) {
      return Optional.empty();
    }
    List<String> others = allowed.getKinds().stream()
        .filter(kind -> !isSupportedRouteKind(kind))
        .map(kind -> kind == null ? "null" : kind.getKind())
        .toList();
    return others.isEmpty() ? Optional.empty()
        : Optional.of(field + ".allowedRoutes.kinds: " + String.join(", ", others)
            + " not supported, only HTTPRoute and GRPCRoute");
  }

  /** The supported route kinds {@code allowed} admits: all of them when it lists no kinds. */
  private static Set<String> routeKinds(AllowedRoutes allowed) {
    if (allowed == null || allowed.getKinds() == null || allowed.getKinds().isEmpty()) {
      return ROUTE_KINDS;
    }
    return Set.copyOf(allowed.getKinds().stream()
        .filter(GatewayTranslator::isSupportedRouteKind)
        .map(RouteGroupKind::getKind)
        .toList());
  }

  private static boolean isSupportedRouteKind(RouteGroupKind kind) {
    return kind != null && ROUTE_KINDS.contains(kind.getKind())
        && (kind.getGroup() == null || GROUP.equals(kind.getGroup()));
  }
}
