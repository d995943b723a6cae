package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Gateway's status as the Gateway API defines it: conditions {@code Accepted} (the verdict's) and
 * {@code Programmed}; one entry per listener of the spec with its {@code attachedRoutes}, conditions
 * {@code Accepted}, {@code Programmed} and {@code ResolvedRefs}, and {@code supportedKinds} (HTTPRoute only).
 * {@code status.addresses} come from the fleet's infrastructure when the report has it ({@link FleetStatus}: the
 * managed Service's addresses, or those an unmanaged fleet declares), and are kept as they are otherwise; the
 * infrastructure's reason for not being ready yet makes {@code Programmed} False once nothing else does.
 *
 * <p>{@code attachedRoutes} of a listener counts the distinct HTTPRoutes with an accepted verdict for a parentRef to
 * this Gateway that names this listener ({@code sectionName}) or no listener at all.
 *
 * <p>The translator judges a Gateway as a whole (one verdict), so every listener carries the Gateway's
 * {@code Accepted} and {@code Programmed} and the verdict's {@code ResolvedRefs}; the message of a Gateway accepted
 * with reason {@code ListenersNotValid} names the listeners left out.
 */
final class GatewayStatusKind implements StatusKind<Gateway, GatewayStatus> {

  static final String GROUP = "gateway.networking.k8s.io";
  static final String HTTP_ROUTE = "HTTPRoute";

  @Override
  public String kind() {
    return ReportIndex.GATEWAY;
  }

  @Override
  public Class<Gateway> type() {
    return Gateway.class;
  }

  @Override
  public Optional<GatewayStatus> desired(ObjectReport report, Gateway current, Instant now) {
    List<Verdict> verdicts = report.verdictsFor(current.getMetadata().getUid());
    if (verdicts.isEmpty()) {
      return Optional.empty();
    }
    Verdict verdict = verdicts.get(0);
    long generation = verdict.object().generation();
    GatewayStatus existing = current.getStatus() == null ? new GatewayStatus() : current.getStatus();
    Programmed programmed = Programmed.of(verdict.accepted(), report.rejection(), "Gateway",
        "no listener of it is programmed").unlessNotReady(report.fleet());
    List<Condition> conditions = List.of(
        Conditions.fromVerdict(Conditions.ACCEPTED, verdict.accepted(), generation,
            Conditions.orEmpty(existing.getConditions()), now),
        programmed.condition(generation, Conditions.orEmpty(existing.getConditions()), now));

    List<ListenerStatus> listeners = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (Listener listener : listenersOf(current)) {
      if (listener == null || listener.getName() == null || !seen.add(listener.getName())) {
        continue;
      }
      List<Condition> before = existingListener(existing, listener.getName());
      listeners.add(new ListenerStatus(attachedRoutes(report, listener.getName()), List.of(
          Conditions.fromVerdict(Conditions.ACCEPTED, verdict.accepted(), generation, before, now),
          programmed.condition(generation, before, now),
          Conditions.fromVerdict(Conditions.RESOLVED_REFS, verdict.resolvedRefs(), generation, before, now)),
          listener.getName(), List.of(new RouteGroupKind(GROUP, HTTP_ROUTE))));
    }
    List<GatewayStatusAddress> addresses = report.fleet()
        .map(fleet -> fleet.addresses().stream().map(a -> new GatewayStatusAddress(a.type(), a.value())).toList())
        .orElse(existing.getAddresses());
    return Optional.of(new GatewayStatus(addresses, conditions, listeners));
  }

  private static List<Listener> listenersOf(Gateway gateway) {
    return gateway.getSpec() == null || gateway.getSpec().getListeners() == null ? List.of()
        : gateway.getSpec().getListeners();
  }

  private static List<Condition> existingListener(GatewayStatus status, String name) {
    if (status.getListeners() == null) {
      return List.of();
    }
    return status.getListeners().stream()
        .filter(l -> l != null && name.equals(l.getName()))
        .findFirst()
        .map(l -> Conditions.orEmpty(l.getConditions()))
        .orElse(List.of());
  }

  private static int attachedRoutes(ObjectReport report, String listener) {
    Set<String> routes = new LinkedHashSet<>(report.attachedRoutes().getOrDefault("", Set.of()));
    routes.addAll(report.attachedRoutes().getOrDefault(listener, Set.of()));
    return routes.size();
  }

  @Override
  public GatewayStatus status(Gateway object) {
    return object.getStatus();
  }

  @Override
  public GatewayStatus comparable(GatewayStatus status) {
    if (status == null) {
      return null;
    }
    List<ListenerStatus> listeners = status.getListeners() == null ? null : status.getListeners().stream()
        .map(l -> new ListenerStatus(l.getAttachedRoutes(), Conditions.withoutTransitionTimes(l.getConditions()),
            l.getName(), l.getSupportedKinds()))
        .toList();
    return new GatewayStatus(status.getAddresses(), Conditions.withoutTransitionTimes(status.getConditions()),
        listeners);
  }

  @Override
  public Gateway withStatus(Gateway object, GatewayStatus status) {
    return new GatewayBuilder()
        .withMetadata(StatusKind.identity(object))
        .withStatus(status)
        .build();
  }
}
