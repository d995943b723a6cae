package dev.fairlead.reporter;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ListenerVerdict;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import java.util.List;
import java.util.Optional;

/** Verdicts as the translator makes them, for tests. */
final class Verdicts {

  static final Condition ACCEPTED =
      new Condition.True("Accepted", "translated to cluster upstream/shop/cart");
  static final Condition RESOLVED = new Condition.True("ResolvedRefs", "all references resolved");

  private Verdicts() {}

  /**
   * An accepted verdict; for a Gateway, with every named listener of its spec accepted and
   * programmed.
   */
  static Verdict accepted(String kind, HasMetadata object) {
    List<ListenerVerdict> listeners =
        object instanceof Gateway gateway
                && gateway.getSpec() != null
                && gateway.getSpec().getListeners() != null
            ? gateway.getSpec().getListeners().stream()
                .map(listener -> listener(listener.getName(), true))
                .toList()
            : List.of();
    return new Verdict(ObjectRef.of(kind, object), Optional.empty(), ACCEPTED, RESOLVED, listeners);
  }

  /** A listener that is valid and without conflict, programmed or not. */
  static ListenerVerdict listener(String name, boolean programmed) {
    return new ListenerVerdict(
        name,
        new Condition.True("Accepted", "the listener is valid"),
        new Condition.False("NoConflicts", "no conflict with another listener"),
        RESOLVED,
        programmed,
        List.of("gateway.networking.k8s.io/HTTPRoute", "gateway.networking.k8s.io/GRPCRoute"));
  }

  static Verdict of(String kind, HasMetadata object, Condition accepted, Condition resolvedRefs) {
    return new Verdict(ObjectRef.of(kind, object), Optional.empty(), accepted, resolvedRefs);
  }

  /** A verdict on a GatewayClass: cluster-scoped, so with an empty namespace. */
  static Verdict gatewayClass(HasMetadata gatewayClass, Condition accepted) {
    return new Verdict(
        ObjectRef.clusterScoped("GatewayClass", gatewayClass),
        Optional.empty(),
        accepted,
        RESOLVED);
  }

  /**
   * An HTTPRoute's verdict for a parentRef to {@code gateway}; accepted, it attaches to the
   * listener {@code sectionName} names, or to none when it names none.
   */
  static Verdict route(
      HasMetadata route,
      String gatewayNamespace,
      String gateway,
      String sectionName,
      Condition accepted) {
    return route(
        route,
        gatewayNamespace,
        gateway,
        sectionName,
        accepted,
        sectionName == null ? List.of() : List.of(sectionName));
  }

  /**
   * An HTTPRoute's verdict for a parentRef to {@code gateway}; accepted, it attaches to {@code
   * listeners}.
   */
  static Verdict route(
      HasMetadata route,
      String gatewayNamespace,
      String gateway,
      String sectionName,
      Condition accepted,
      List<String> listeners) {
    return new Verdict(
        ObjectRef.of("HTTPRoute", route),
        Optional.of(new ParentRef(gatewayNamespace, gateway, Optional.ofNullable(sectionName))),
        accepted,
        RESOLVED,
        Optional.empty(),
        accepted.isTrue() ? listeners : List.of());
  }
}
