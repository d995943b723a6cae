package dev.fairlead.reporter;

import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTPRoute's status as the Gateway API defines it: one {@code status.parents} entry per parent verdict, under
 * the report's controller name, with the parentRef as the spec spells it, and conditions {@code Accepted} and
 * {@code ResolvedRefs}, plus {@code PartiallyInvalid} while some rules are dropped (absent otherwise, as the Gateway
 * API asks).
 *
 * <p>The list is shared with other controllers (each writes the entries for the parents it implements), so entries
 * under another {@code controllerName} are kept as they are, in their order, ahead of Fairlead's. Fairlead's
 * entries for parents without a verdict any more (the parentRef was removed, or points elsewhere now) are dropped.
 * An HTTPRoute with neither verdicts nor entries of Fairlead's is left alone.
 */
final class HTTPRouteStatusKind implements StatusKind<HTTPRoute, HTTPRouteStatus> {

  @Override
  public String kind() {
    return ReportIndex.HTTP_ROUTE;
  }

  @Override
  public Class<HTTPRoute> type() {
    return HTTPRoute.class;
  }

  @Override
  public Optional<HTTPRouteStatus> desired(ObjectReport report, HTTPRoute current, Instant now) {
    String controller = report.gatewayControllerName();
    List<Verdict> verdicts = report.verdictsFor(current.getMetadata().getUid()).stream()
        .filter(v -> v.parent().isPresent())
        .toList();
    List<RouteParentStatus> existing = current.getStatus() == null || current.getStatus().getParents() == null
        ? List.of() : current.getStatus().getParents();
    List<RouteParentStatus> parents = new ArrayList<>();
    List<RouteParentStatus> ours = new ArrayList<>();
    for (RouteParentStatus parent : existing) {
      (controller.equals(parent.getControllerName()) ? ours : parents).add(parent);
    }
    if (verdicts.isEmpty() && ours.isEmpty()) {
      return Optional.empty();
    }
    String namespace = current.getMetadata().getNamespace();
    for (Verdict verdict : verdicts) {
      ParentRef parent = verdict.parent().get();
      long generation = verdict.object().generation();
      List<Condition> before = ours.stream()
          .filter(p -> p.getParentRef() != null && parent.equals(key(namespace, p.getParentRef())))
          .findFirst()
          .map(p -> Conditions.orEmpty(p.getConditions()))
          .orElse(List.of());
      List<Condition> conditions = new ArrayList<>(List.of(
          Conditions.fromVerdict(Conditions.ACCEPTED, verdict.accepted(), generation, before, now),
          Conditions.fromVerdict(Conditions.RESOLVED_REFS, verdict.resolvedRefs(), generation, before, now)));
      verdict.partiallyInvalid().ifPresent(partly -> conditions.add(
          Conditions.fromVerdict(Conditions.PARTIALLY_INVALID, partly, generation, before, now)));
      parents.add(new RouteParentStatus(conditions, controller, parentRef(current, parent)));
    }
    return Optional.of(new HTTPRouteStatus(parents));
  }

  /** The parentRef of the spec the verdict is about, as the spec spells it (with the API server's defaults). */
  private static ParentReference parentRef(HTTPRoute route, ParentRef parent) {
    String namespace = route.getMetadata().getNamespace();
    List<ParentReference> refs = route.getSpec() == null || route.getSpec().getParentRefs() == null ? List.of()
        : route.getSpec().getParentRefs();
    return refs.stream()
        .filter(ref -> ref != null && ref.getName() != null && parent.equals(key(namespace, ref)))
        .findFirst()
        .orElseGet(() -> new ParentReferenceBuilder()
            .withGroup(GatewayStatusKind.GROUP)
            .withKind(ReportIndex.GATEWAY)
            .withNamespace(parent.namespace())
            .withName(parent.name())
            .withSectionName(parent.sectionName().orElse(null))
            .build());
  }

  /** A parentRef the way verdicts name it: namespace defaulted to the route's. */
  private static ParentRef key(String routeNamespace, ParentReference ref) {
    String namespace = ref.getNamespace() == null || ref.getNamespace().isEmpty() ? routeNamespace
        : ref.getNamespace();
    return new ParentRef(namespace, Objects.requireNonNullElse(ref.getName(), ""),
        Optional.ofNullable(ref.getSectionName()));
  }

  @Override
  public HTTPRouteStatus status(HTTPRoute object) {
    return object.getStatus();
  }

  /**
   * No status and a status without parents compare equal (as a status without parents): the API server stores the
   * latter as the former, see {@link #withStatus}.
   */
  @Override
  public HTTPRouteStatus comparable(HTTPRouteStatus status) {
    if (status == null || status.getParents() == null || status.getParents().isEmpty()) {
      return new HTTPRouteStatus(List.of());
    }
    List<RouteParentStatus> parents = status.getParents().stream()
        .map(p -> new RouteParentStatus(Conditions.withoutTransitionTimes(p.getConditions()), p.getControllerName(),
            p.getParentRef()))
        .toList();
    return new HTTPRouteStatus(parents);
  }

  /**
   * A status without parents is sent as no status at all: the model leaves out an empty {@code parents}, and the CRD
   * requires {@code parents} in a status; a status update without a status removes it.
   */
  @Override
  public HTTPRoute withStatus(HTTPRoute object, HTTPRouteStatus status) {
    return new HTTPRouteBuilder()
        .withMetadata(StatusKind.identity(object))
        .withStatus(status.getParents() == null || status.getParents().isEmpty() ? null : status)
        .build();
  }
}
