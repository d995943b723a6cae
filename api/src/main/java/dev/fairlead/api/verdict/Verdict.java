package dev.fairlead.api.verdict;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the translator concluded about one object (or, for a route, about one of its parentRefs):
 * whether it was accepted, and whether everything it refers to could be resolved. The reporter
 * turns verdicts into status conditions.
 *
 * @param parent the Gateway this verdict is about, for routes; empty for Upstreams and Gateways
 * @param listeners for a Gateway, the verdict on each of its listeners with a name, in spec order;
 *     empty otherwise
 * @param partiallyInvalid for a route that is accepted with some of its rules dropped, the Gateway
 *     API's {@code PartiallyInvalid} condition (true, its message naming the dropped rules); empty
 *     otherwise
 * @param attachedListeners for an accepted route, the names of the listeners of its parent Gateway
 *     it attaches to through this parentRef (each once): those its sectionName and port select that
 *     admit its kind and namespace and share a hostname with it. What each listener's {@code
 *     attachedRoutes} counts. Empty otherwise
 */
public record Verdict(
    ObjectRef object,
    Optional<ParentRef> parent,
    Condition accepted,
    Condition resolvedRefs,
    List<ListenerVerdict> listeners,
    Optional<Condition> partiallyInvalid,
    List<String> attachedListeners) {

  /**
   * Kind, namespace, name, then UID and parent: the order {@link Translation#verdicts()} promises.
   */
  public static final Comparator<Verdict> ORDER =
      Comparator.comparing((Verdict v) -> v.object().kind())
          .thenComparing(v -> v.object().namespace())
          .thenComparing(v -> v.object().name())
          .thenComparing(v -> v.object().uid())
          .thenComparing(v -> v.parent().map(ParentRef::namespace).orElse(""))
          .thenComparing(v -> v.parent().map(ParentRef::name).orElse(""))
          .thenComparing(v -> v.parent().flatMap(ParentRef::sectionName).orElse(""));

  public Verdict {
    Objects.requireNonNull(object, "object");
    Objects.requireNonNull(parent, "parent");
    Objects.requireNonNull(accepted, "accepted");
    Objects.requireNonNull(resolvedRefs, "resolvedRefs");
    listeners = List.copyOf(listeners);
    Objects.requireNonNull(partiallyInvalid, "partiallyInvalid");
    attachedListeners = List.copyOf(attachedListeners);
  }

  /** A verdict on an object without listeners or a {@code PartiallyInvalid} condition. */
  public Verdict(
      ObjectRef object, Optional<ParentRef> parent, Condition accepted, Condition resolvedRefs) {
    this(object, parent, accepted, resolvedRefs, List.of(), Optional.empty(), List.of());
  }

  /** A verdict on a Gateway, with its listeners'. */
  public Verdict(
      ObjectRef object,
      Optional<ParentRef> parent,
      Condition accepted,
      Condition resolvedRefs,
      List<ListenerVerdict> listeners) {
    this(object, parent, accepted, resolvedRefs, listeners, Optional.empty(), List.of());
  }

  /**
   * A verdict on a route for one parent, with or without a {@code PartiallyInvalid} condition,
   * naming the listeners it attaches to.
   */
  public Verdict(
      ObjectRef object,
      Optional<ParentRef> parent,
      Condition accepted,
      Condition resolvedRefs,
      Optional<Condition> partiallyInvalid,
      List<String> attachedListeners) {
    this(object, parent, accepted, resolvedRefs, List.of(), partiallyInvalid, attachedListeners);
  }
}
