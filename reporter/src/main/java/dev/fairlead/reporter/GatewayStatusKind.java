package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.verdict.ListenerVerdict;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Gateway's status as the Gateway API defines it: conditions {@code Accepted} (the verdict's) and
 * {@code Programmed}; one entry per listener of the spec the translator judged (each with a name of
 * its own), with its {@code attachedRoutes}, the conditions of its {@link ListenerVerdict} — {@code
 * Accepted}, {@code Conflicted}, {@code ResolvedRefs} — and {@code Programmed}, and its {@code
 * supportedKinds} (the route kinds it asks for that Fairlead supports). {@code status.addresses}
 * come from the fleet's infrastructure when the report has it ({@link FleetStatus}: the managed
 * Service's addresses, or those an unmanaged fleet declares), and are kept as they are otherwise;
 * the infrastructure's reason for not being ready yet makes {@code Programmed} False (the Gateway's
 * and its listeners') once nothing else does.
 *
 * <p>{@code attachedRoutes} of a listener counts the distinct routes (HTTPRoutes and GRPCRoutes)
 * with an accepted verdict for a parentRef to this Gateway that attaches them to this listener
 * ({@link Verdict#attachedListeners}: selected by the parentRef's sectionName and port, admitting
 * the route's kind and namespace, and sharing a hostname with it). A listener not programmed only
 * because its references do not resolve counts its routes too; one not accepted, conflicted or
 * without a supported route kind has none.
 *
 * <p>A listener is {@code Programmed} when the translator programs it and no proxy rejects the
 * Gateway's configuration; otherwise false, with reason {@code Rejected} (the proxies' words) or
 * {@code Invalid} (its own Accepted, Conflicted or ResolvedRefs says why). The Gateway's message,
 * with reason {@code ListenersNotValid}, names every listener left out.
 */
final class GatewayStatusKind implements StatusKind<Gateway, GatewayStatus> {

  static final String GROUP = "gateway.networking.k8s.io";
  static final String HTTP_ROUTE = "HTTPRoute";
  static final String CONFLICTED = "Conflicted";

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
    GatewayStatus existing =
        current.getStatus() == null ? new GatewayStatus() : current.getStatus();
    Programmed programmed =
        Programmed.of(
                verdict.accepted(),
                report.rejection(),
                report.proxies(),
                "Gateway",
                "no listener of it is programmed")
            .unlessNotReady(report.fleet());
    List<Condition> conditions =
        List.of(
            Conditions.fromVerdict(
                Conditions.ACCEPTED,
                verdict.accepted(),
                generation,
                Conditions.orEmpty(existing.getConditions()),
                now),
            programmed.condition(generation, Conditions.orEmpty(existing.getConditions()), now));

    List<ListenerStatus> listeners = new ArrayList<>();
    for (ListenerVerdict listener : verdict.listeners()) {
      List<Condition> before = existingListener(existing, listener.name());
      Programmed listenerProgrammed =
          listener.programmed()
              ? programmed
              : new Programmed(false, "Invalid", "not programmed: " + whyNot(listener));
      listeners.add(
          new ListenerStatus(
              attachable(listener) ? attachedRoutes(report, listener.name()) : 0,
              List.of(
                  Conditions.fromVerdict(
                      Conditions.ACCEPTED, listener.accepted(), generation, before, now),
                  Conditions.fromVerdict(
                      CONFLICTED, listener.conflicted(), generation, before, now),
                  Conditions.fromVerdict(
                      Conditions.RESOLVED_REFS, listener.resolvedRefs(), generation, before, now),
                  listenerProgrammed.condition(generation, before, now)),
              listener.name(),
              listener.supportedKinds().stream().map(GatewayStatusKind::routeGroupKind).toList()));
    }
    List<GatewayStatusAddress> addresses =
        report
            .fleet()
            .map(
                fleet ->
                    fleet.addresses().stream()
                        .map(a -> new GatewayStatusAddress(a.type(), a.value()))
                        .toList())
            .orElse(existing.getAddresses());
    // attachedListenerSets stays unset: Fairlead attaches no ListenerSets (the field is optional).
    return Optional.of(new GatewayStatus(addresses, null, conditions, listeners));
  }

  /**
   * Whether routes attach to {@code listener}: accepted, not conflicted, with a route kind Fairlead
   * supports.
   */
  private static boolean attachable(ListenerVerdict listener) {
    return listener.accepted().isTrue()
        && !listener.conflicted().isTrue()
        && !listener.supportedKinds().isEmpty();
  }

  /** The condition that keeps a listener from being programmed. */
  private static String whyNot(ListenerVerdict listener) {
    if (!listener.accepted().isTrue()) {
      return listener.accepted().message();
    }
    if (listener.conflicted().isTrue()) {
      return listener.conflicted().message();
    }
    return listener.resolvedRefs().message();
  }

  /** {@code group/kind} as a RouteGroupKind. */
  private static RouteGroupKind routeGroupKind(String groupKind) {
    int slash = groupKind.lastIndexOf('/');
    return new RouteGroupKind(groupKind.substring(0, slash), groupKind.substring(slash + 1));
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
    return report.attachedRoutes().getOrDefault(listener, Set.of()).size();
  }

  /**
   * Every listener entry keeps {@code supportedKinds}, which the Gateway API's schema requires even
   * when empty (a listener that asks only for route kinds Fairlead does not support) and the
   * model's serialization drops when it is.
   */
  @Override
  public Map<String, Object> patchValue(Map<String, Object> json) {
    if (json.get("listeners") instanceof List<?> listeners) {
      json.put(
          "listeners",
          listeners.stream()
              .map(
                  listener -> {
                    if (!(listener instanceof Map<?, ?> entry)) {
                      return listener;
                    }
                    Map<String, Object> fields = StatusKind.stringKeyed(entry);
                    fields.putIfAbsent("supportedKinds", List.of());
                    return fields;
                  })
              .toList());
    }
    return json;
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
    List<ListenerStatus> listeners =
        status.getListeners() == null
            ? null
            : status.getListeners().stream()
                .map(
                    l ->
                        new ListenerStatus(
                            l.getAttachedRoutes(),
                            Conditions.withoutTransitionTimes(l.getConditions()),
                            l.getName(),
                            l.getSupportedKinds()))
                .toList();
    return new GatewayStatus(
        status.getAddresses(),
        status.getAttachedListenerSets(),
        Conditions.withoutTransitionTimes(status.getConditions()),
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
