package dev.fairlead.reporter;

import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteStatus;
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
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A route's status as the Gateway API defines it for HTTPRoutes and GRPCRoutes alike: one {@code
 * status.parents} entry per parent verdict, under the report's controller name, with the parentRef
 * as the spec spells it, and conditions {@code Accepted} and {@code ResolvedRefs}, plus {@code
 * PartiallyInvalid} while some rules are dropped (absent otherwise, as the Gateway API asks).
 * {@link #HTTP_ROUTE} and {@link #GRPC_ROUTE} differ only in how their model classes (which share
 * no interface) are read and built.
 *
 * <p>The list is shared with other controllers (each writes the entries for the parents it
 * implements), so entries under another {@code controllerName} are kept as they are, in their
 * order, ahead of Fairlead's. Fairlead's entries for parents without a verdict any more (the
 * parentRef was removed, or points elsewhere now) are dropped. A route with neither verdicts nor
 * entries of Fairlead's is left alone.
 *
 * @param <T> the route's model class
 * @param <S> its status's model class
 */
final class RouteStatusKind<T extends HasMetadata, S> implements StatusKind<T, S> {

  static final RouteStatusKind<HTTPRoute, HTTPRouteStatus> HTTP_ROUTE =
      new RouteStatusKind<>(
          ReportIndex.HTTP_ROUTE,
          HTTPRoute.class,
          route -> route.getSpec() == null ? null : route.getSpec().getParentRefs(),
          HTTPRoute::getStatus,
          HTTPRouteStatus::getParents,
          HTTPRouteStatus::new,
          (identity, status) ->
              new HTTPRouteBuilder().withMetadata(identity).withStatus(status).build());

  static final RouteStatusKind<GRPCRoute, GRPCRouteStatus> GRPC_ROUTE =
      new RouteStatusKind<>(
          ReportIndex.GRPC_ROUTE,
          GRPCRoute.class,
          route -> route.getSpec() == null ? null : route.getSpec().getParentRefs(),
          GRPCRoute::getStatus,
          GRPCRouteStatus::getParents,
          GRPCRouteStatus::new,
          (identity, status) ->
              new GRPCRouteBuilder().withMetadata(identity).withStatus(status).build());

  private final String kind;
  private final Class<T> type;
  private final Function<T, List<ParentReference>> parentRefsOf;
  private final Function<T, S> statusOf;
  private final Function<S, List<RouteParentStatus>> parentsOf;
  private final Function<List<RouteParentStatus>, S> statusWith;
  private final BiFunction<ObjectMeta, S, T> routeWith;

  /**
   * A kind of route, by how its model classes are read and built.
   *
   * @param parentRefsOf the route's {@code spec.parentRefs}, or null
   * @param statusOf the route's status, or null
   * @param parentsOf the status's {@code parents}, or null
   * @param statusWith a status with the given {@code parents}
   * @param routeWith a route of the given identity carrying the given status (null for none)
   */
  private RouteStatusKind(
      String kind,
      Class<T> type,
      Function<T, List<ParentReference>> parentRefsOf,
      Function<T, S> statusOf,
      Function<S, List<RouteParentStatus>> parentsOf,
      Function<List<RouteParentStatus>, S> statusWith,
      BiFunction<ObjectMeta, S, T> routeWith) {
    this.kind = kind;
    this.type = type;
    this.parentRefsOf = parentRefsOf;
    this.statusOf = statusOf;
    this.parentsOf = parentsOf;
    this.statusWith = statusWith;
    this.routeWith = routeWith;
  }

  private List<ParentReference> parentRefs(T route) {
    return parentRefsOf.apply(route);
  }

  private List<RouteParentStatus> parents(S status) {
    return parentsOf.apply(status);
  }

  private S status(List<RouteParentStatus> parents) {
    return statusWith.apply(parents);
  }

  private T route(ObjectMeta identity, S status) {
    return routeWith.apply(identity, status);
  }

  @Override
  public S status(T object) {
    return statusOf.apply(object);
  }

  @Override
  public String kind() {
    return kind;
  }

  @Override
  public Class<T> type() {
    return type;
  }

  /**
   * {@code status.parents} holds the entries of every controller implementing one of the route's
   * parents.
   */
  @Override
  public boolean sharesStatus() {
    return true;
  }

  @Override
  public Optional<S> desired(ObjectReport report, T current, Instant now) {
    String controller = report.gatewayControllerName();
    List<Verdict> verdicts =
        report.verdictsFor(current.getMetadata().getUid()).stream()
            .filter(v -> v.parent().isPresent())
            .toList();
    S currentStatus = status(current);
    List<RouteParentStatus> existing =
        currentStatus == null || parents(currentStatus) == null
            ? List.of()
            : parents(currentStatus);
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
      List<Condition> before =
          ours.stream()
              .filter(
                  p -> p.getParentRef() != null && parent.equals(key(namespace, p.getParentRef())))
              .findFirst()
              .map(p -> Conditions.orEmpty(p.getConditions()))
              .orElse(List.of());
      List<Condition> conditions =
          new ArrayList<>(
              List.of(
                  Conditions.fromVerdict(
                      Conditions.ACCEPTED, verdict.accepted(), generation, before, now),
                  Conditions.fromVerdict(
                      Conditions.RESOLVED_REFS, verdict.resolvedRefs(), generation, before, now)));
      verdict
          .partiallyInvalid()
          .ifPresent(
              partly ->
                  conditions.add(
                      Conditions.fromVerdict(
                          Conditions.PARTIALLY_INVALID, partly, generation, before, now)));
      parents.add(new RouteParentStatus(conditions, controller, parentRef(current, parent)));
    }
    return Optional.of(status(parents));
  }

  /**
   * The parentRef of the spec the verdict is about, as the spec spells it (with the API server's
   * defaults).
   */
  private ParentReference parentRef(T route, ParentRef parent) {
    String namespace = route.getMetadata().getNamespace();
    List<ParentReference> refs = Objects.requireNonNullElse(parentRefs(route), List.of());
    return refs.stream()
        .filter(ref -> ref != null && ref.getName() != null && parent.equals(key(namespace, ref)))
        .findFirst()
        .orElseGet(
            () ->
                new ParentReferenceBuilder()
                    .withGroup(GatewayStatusKind.GROUP)
                    .withKind(ReportIndex.GATEWAY)
                    .withNamespace(parent.namespace())
                    .withName(parent.name())
                    .withSectionName(parent.sectionName().orElse(null))
                    .build());
  }

  /** A parentRef the way verdicts name it: namespace defaulted to the route's. */
  private static ParentRef key(String routeNamespace, ParentReference ref) {
    String namespace =
        ref.getNamespace() == null || ref.getNamespace().isEmpty()
            ? routeNamespace
            : ref.getNamespace();
    return new ParentRef(
        namespace,
        Objects.requireNonNullElse(ref.getName(), ""),
        Optional.ofNullable(ref.getSectionName()));
  }

  /**
   * No status and a status without parents compare equal (as a status without parents): the API
   * server stores the latter as the former, see {@link #withStatus}.
   */
  @Override
  public S comparable(S status) {
    if (status == null || parents(status) == null || parents(status).isEmpty()) {
      return status(List.of());
    }
    return status(
        parents(status).stream()
            .map(
                p ->
                    new RouteParentStatus(
                        Conditions.withoutTransitionTimes(p.getConditions()),
                        p.getControllerName(),
                        p.getParentRef()))
            .toList());
  }

  /**
   * A status without parents is sent as no status at all: the model leaves out an empty {@code
   * parents}, and the CRD requires {@code parents} in a status; a status update without a status
   * removes it.
   */
  @Override
  public T withStatus(T object, S status) {
    return route(
        StatusKind.identity(object),
        parents(status) == null || parents(status).isEmpty() ? null : status);
  }
}
