package dev.fairlead.xds.translate;

import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteSpec;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Attaches each HTTPRoute (and each GRPCRoute, through {@link GRPCRouteTranslator}) to the Gateway
 * listeners its parentRefs select, translates its rules, and gives it one verdict per parentRef.
 *
 * <p>A parentRef selects the accepted listeners of its Gateway (namespace defaulting to the
 * route's) whose name is its {@code sectionName} and whose port is its {@code port}, where those
 * are given. The route attaches to those listeners that admit its kind and routes from its
 * namespace and whose hostname intersects the route's hostnames; on each, it serves the
 * intersection (Gateway API rules), or every hostname when neither sets one. The route also
 * attaches, without being served, to a listener no proxy serves because its certificateRefs do not
 * resolve ({@link GatewayTranslator.GatewayListeners#unserved}): the Gateway API counts attachment
 * by parentRefs and allowedRoutes alone, and the listener's status says why it is not programmed.
 * When no listener is left, the verdict says at which step: {@code NoMatchingParent} (no such
 * listener), {@code NotAllowedByListeners} or {@code NoMatchingListenerHostname}. A rule that uses
 * something not supported, or an invalid value, is dropped and the route's other rules are served:
 * the route is accepted with the Gateway API's {@code PartiallyInvalid} condition ({@code
 * UnsupportedValue}, naming each dropped rule and the field at fault). A route whose every rule is
 * dropped, or with an invalid hostname, is not accepted anywhere ({@code UnsupportedValue}).
 * resolvedRefs is the same on every parentRef, and about the rules served: false when a backendRef
 * does not resolve, whose share of requests then gets 500s.
 *
 * <p>Only parentRefs to Fairlead's Gateways (those of {@code gateways}) get a verdict: a parentRef
 * to another controller's Gateway, to a Gateway that does not exist, or to another kind of parent
 * is not Fairlead's to judge (the Gateway API has route status list only the parents an
 * implementation is responsible for), and adds nothing. A route without parentRefs gets no verdict
 * (its status has no place for one). ParentRefs with the same namespace, name and sectionName (a
 * verdict's key) get one verdict together, accepted if any of them attaches. Built once per
 * translation; not thread-safe.
 */
final class HTTPRouteTranslator {

  static final String KIND = "HTTPRoute";

  private final Map<String, GatewayTranslator.GatewayListeners> gateways;
  private final BackendResolver backends;
  private final HTTPRouteRuleTranslator rules;
  private final Function<String, Map<String, String>> namespaceLabels;

  /**
   * @param gateways Fairlead's Gateways, keyed {@code namespace/name}
   * @param namespaceLabels the labels of a namespace of the state, null for one it does not hold
   *     (for listeners with {@code allowedRoutes.namespaces.from: Selector})
   */
  HTTPRouteTranslator(
      Map<String, GatewayTranslator.GatewayListeners> gateways,
      BackendResolver backends,
      HttpFeatures features,
      Function<String, Map<String, String>> namespaceLabels) {
    this.gateways = gateways;
    this.namespaceLabels = namespaceLabels;
    this.backends = backends;
    this.rules = new HTTPRouteRuleTranslator(features);
  }

  /** Where a route is served: on one port of one fleet, for these hostnames ({@code *} for all). */
  record Attachment(String fleet, int port, Set<String> hostnames) {}

  /**
   * What an HTTPRoute became.
   *
   * @param entries its Envoy routes, the same wherever it is attached
   * @param backends the clusters those routes send requests to
   */
  record RouteTranslation(
      List<Verdict> verdicts,
      List<Attachment> attachments,
      List<RouteEntry> entries,
      List<Backend> backends) {}

  /**
   * One rule of a route, of whichever kind, in the form the translation takes: its filters and
   * backendRefs as an HTTPRoute rule's, its problems, and the Envoy matches of its matches.
   */
  interface Rule {

    /**
     * The rule as an HTTPRoute rule: its filters and backendRefs (and its matches, for an
     * HTTPRoute's).
     */
    HTTPRouteRule http();

    /** Every problem of the rule at {@code field}, each as {@code field: what is wrong}. */
    List<String> problems(HTTPRouteRuleTranslator rules, String field);

    /** Per match of the rule, the Envoy matches it becomes; only for a rule without problems. */
    List<List<HTTPRouteRuleTranslator.Match>> matches();
  }

  /** An HTTPRoute's rule, which is already in the translation's form. */
  private record HttpRule(HTTPRouteRule http) implements Rule {

    @Override
    public List<String> problems(HTTPRouteRuleTranslator rules, String field) {
      return rules.problems(http, field);
    }

    @Override
    public List<List<HTTPRouteRuleTranslator.Match>> matches() {
      return HTTPRouteRuleTranslator.matches(http);
    }
  }

  /**
   * Translates {@code route}, recording in {@code reads} the Gateways and backends the result
   * depends on.
   */
  RouteTranslation translate(HTTPRoute route, Reads reads) {
    HTTPRouteSpec spec = route.getSpec() == null ? new HTTPRouteSpec() : route.getSpec();
    List<HTTPRouteRule> httpRules =
        spec.getRules() == null || spec.getRules().isEmpty()
            ? List.of(new HTTPRouteRule())
            : spec.getRules();
    return translate(
        KIND,
        route,
        spec.getHostnames(),
        spec.getParentRefs(),
        httpRules.stream().<Rule>map(HttpRule::new).toList(),
        reads);
  }

  /**
   * Translates {@code route} of kind {@code kind} (HTTPRoute or GRPCRoute), given its hostnames,
   * parentRefs and rules (at least one), recording in {@code reads} the Gateways and backends the
   * result depends on.
   */
  RouteTranslation translate(
      String kind,
      HasMetadata route,
      List<String> routeHostnames,
      List<ParentReference> routeParentRefs,
      List<Rule> ruleList,
      Reads reads) {
    ObjectRef ref = ObjectRef.of(kind, route);
    List<String> problems = new ArrayList<>();
    List<Hostname> hostnames = hostnames(routeHostnames, problems);
    List<List<BackendResolver.BackendResolution>> resolutions = new ArrayList<>();
    List<List<BackendResolver.BackendResolution>> keptResolutions = new ArrayList<>();
    List<List<BackendResolver.BackendResolution>> mirrorResolutions = new ArrayList<>();
    List<String> ruleProblems = new ArrayList<>();
    List<String> dropped = new ArrayList<>();
    List<Boolean> valid = new ArrayList<>();
    for (int i = 0; i < ruleList.size(); i++) {
      String field = "spec.rules[" + i + "]";
      List<String> these = ruleList.get(i).problems(rules, field);
      resolutions.add(resolve(kind, ref.namespace(), ruleList.get(i).http(), field, reads));
      valid.add(these.isEmpty());
      if (these.isEmpty()) {
        keptResolutions.add(resolutions.get(i));
        mirrorResolutions.add(
            resolveMirrors(kind, ref.namespace(), ruleList.get(i).http(), field, reads));
      } else {
        mirrorResolutions.add(List.of());
        ruleProblems.addAll(these);
        dropped.add(field);
      }
    }
    // A route with a bad hostname, or without one rule that can be served, is not accepted;
    // otherwise its
    // invalid rules are dropped and the others served (the Gateway API's "Drop Rule(s)" way of
    // PartiallyInvalid).
    boolean rejected = !problems.isEmpty() || dropped.size() == ruleList.size();
    problems.addAll(ruleProblems);
    Condition resolvedRefs =
        resolvedRefs(
            rejected ? resolutions : keptResolutions, rejected ? List.of() : mirrorResolutions);
    Optional<Condition> partiallyInvalid =
        rejected || dropped.isEmpty()
            ? Optional.empty()
            : Optional.of(
                new Condition.True(
                    "UnsupportedValue",
                    "Dropped Rule"
                        + (dropped.size() == 1 ? " " : "s ")
                        + String.join(", ", dropped)
                        + ": "
                        + String.join("; ", ruleProblems)));
    List<RouteEntry> entries = new ArrayList<>();
    Map<String, Backend> referenced = new LinkedHashMap<>();
    if (!rejected) {
      Instant created = created(route);
      for (int i = 0; i < ruleList.size(); i++) {
        if (!valid.get(i)) {
          continue;
        }
        List<Optional<Backend>> mirrors =
            mirrorResolutions.get(i).stream().map(HTTPRouteTranslator::backendOf).toList();
        entries.addAll(
            rules.translate(
                ref,
                created,
                i,
                ruleList.get(i).http(),
                resolutions.get(i),
                mirrors,
                ruleList.get(i).matches()));
        HTTPRouteRuleTranslator.referencedBackends(resolutions.get(i))
            .forEach(backend -> referenced.putIfAbsent(backend.name(), backend));
        mirrors.forEach(
            mirror -> mirror.ifPresent(backend -> referenced.putIfAbsent(backend.name(), backend)));
      }
    }

    List<Verdict> verdicts = new ArrayList<>();
    List<Attachment> attachments = new ArrayList<>();
    List<ParentReference> parentRefs = Objects.requireNonNullElse(routeParentRefs, List.of());
    parents(ref.namespace(), parentRefs)
        .forEach(
            (parent, indexes) -> {
              String gatewayKey = parent.namespace() + "/" + parent.name();
              GatewayTranslator.GatewayListeners gateway =
                  reads.read(Reads.Source.GATEWAY, gatewayKey, gateways.get(gatewayKey));
              if (gateway == null) {
                return;
              }
              List<Attachment> parentAttachments = new ArrayList<>();
              Set<String> attachedListeners = new LinkedHashSet<>();
              Supplier<Map<String, String>> labels =
                  () ->
                      reads.read(
                          Reads.Source.NAMESPACE,
                          ref.namespace(),
                          namespaceLabels.apply(ref.namespace()));
              Condition accepted =
                  attach(
                      kind,
                      ref.namespace(),
                      labels,
                      parentRefs,
                      indexes,
                      parent,
                      gateway,
                      hostnames,
                      parentAttachments,
                      attachedListeners);
              if (accepted.isTrue() && rejected) {
                accepted = new Condition.False("UnsupportedValue", String.join("; ", problems));
              } else if (accepted.isTrue()) {
                attachments.addAll(parentAttachments);
              }
              verdicts.add(
                  new Verdict(
                      ref,
                      Optional.of(parent),
                      accepted,
                      resolvedRefs,
                      accepted.isTrue() ? partiallyInvalid : Optional.empty(),
                      accepted.isTrue() ? List.copyOf(attachedListeners) : List.of()));
            });
    return new RouteTranslation(verdicts, attachments, entries, List.copyOf(referenced.values()));
  }

  /**
   * The indexes of the parentRefs to Gateways per verdict key (namespace, name, sectionName):
   * parentRefs sharing a key (differing only by port, say) are judged together. A parentRef to
   * another kind (a mesh's Service, say) is not Fairlead's to judge.
   */
  private static Map<ParentRef, List<Integer>> parents(
      String routeNamespace, List<ParentReference> parentRefs) {
    Map<ParentRef, List<Integer>> parents = new LinkedHashMap<>();
    for (int p = 0; p < parentRefs.size(); p++) {
      ParentReference parentRef = parentRefs.get(p);
      if (parentRef != null && parentRef.getName() != null && isGateway(parentRef)) {
        String namespace =
            parentRef.getNamespace() == null || parentRef.getNamespace().isEmpty()
                ? routeNamespace
                : parentRef.getNamespace();
        parents
            .computeIfAbsent(
                new ParentRef(
                    namespace,
                    parentRef.getName(),
                    Optional.ofNullable(parentRef.getSectionName())),
                k -> new ArrayList<>())
            .add(p);
      }
    }
    return parents;
  }

  /**
   * Attaches the route through the parentRefs at {@code indexes} (all with the key {@code parent},
   * naming {@code gateway}), adding to {@code attachments}, and the names of the listeners it
   * attaches to (programmed or waiting for their certificates) to {@code attachedListeners};
   * returns the accepted condition: true if any of them attaches, else the first failure.
   */
  private static Condition attach(
      String kind,
      String routeNamespace,
      Supplier<Map<String, String>> labels,
      List<ParentReference> parentRefs,
      List<Integer> indexes,
      ParentRef parent,
      GatewayTranslator.GatewayListeners gateway,
      List<Hostname> hostnames,
      List<Attachment> attachments,
      Set<String> attachedListeners) {
    Set<String> listeners = new LinkedHashSet<>();
    Set<String> unserved = new LinkedHashSet<>();
    Condition.False firstFailure = null;
    for (int p : indexes) {
      Optional<Condition.False> failure =
          attach(
              "spec.parentRefs[" + p + "]",
              kind,
              routeNamespace,
              labels,
              parentRefs.get(p),
              parent,
              gateway,
              hostnames,
              attachments,
              listeners,
              unserved);
      if (firstFailure == null && failure.isPresent()) {
        firstFailure = failure.get();
      }
    }
    attachedListeners.addAll(listeners);
    attachedListeners.addAll(unserved);
    String gatewayKey = " of Gateway " + parent.namespace() + "/" + parent.name();
    String waiting =
        " (not programmed until "
            + (unserved.size() == 1 ? "its" : "their")
            + " certificateRefs resolve)";
    if (listeners.isEmpty() && unserved.isEmpty()) {
      return firstFailure;
    }
    if (listeners.isEmpty()) {
      return new Condition.True(
          "Accepted", "attached to " + listenerNames(unserved) + gatewayKey + waiting);
    }
    return new Condition.True(
        "Accepted",
        "attached to "
            + listenerNames(listeners)
            + gatewayKey
            + (unserved.isEmpty() ? "" : "; also to " + listenerNames(unserved) + waiting));
  }

  private static String listenerNames(Set<String> names) {
    return "listener" + (names.size() == 1 ? " " : "s ") + String.join(", ", names);
  }

  private static List<Hostname> hostnames(List<String> values, List<String> problems) {
    List<Hostname> hostnames = new ArrayList<>();
    List<String> list = Objects.requireNonNullElse(values, List.of());
    for (int i = 0; i < list.size(); i++) {
      Optional<String> problem = Hostname.problem(list.get(i));
      if (problem.isPresent()) {
        problems.add("spec.hostnames[" + i + "]: " + problem.get());
      } else {
        hostnames.add(new Hostname(list.get(i)));
      }
    }
    return hostnames;
  }

  private List<BackendResolver.BackendResolution> resolve(
      String kind, String namespace, HTTPRouteRule rule, String field, Reads reads) {
    List<BackendResolver.BackendResolution> resolved = new ArrayList<>();
    List<HTTPBackendRef> refs =
        rule == null || rule.getBackendRefs() == null ? List.of() : rule.getBackendRefs();
    for (int k = 0; k < refs.size(); k++) {
      if (refs.get(k) != null) {
        resolved.add(
            backends.resolve(
                kind, namespace, refs.get(k), field + ".backendRefs[" + k + "]", reads));
      }
    }
    return resolved;
  }

  /**
   * The RequestMirror filters' backendRefs of {@code rule} (at {@code field}) resolved, in order.
   */
  private List<BackendResolver.BackendResolution> resolveMirrors(
      String kind, String namespace, HTTPRouteRule rule, String field, Reads reads) {
    List<BackendResolver.BackendResolution> resolved = new ArrayList<>();
    List<HTTPRouteFilter> filters = Objects.requireNonNullElse(rule.getFilters(), List.of());
    for (int f = 0; f < filters.size(); f++) {
      HTTPRouteFilter filter = filters.get(f);
      if (filter != null
          && RequestMirrorFilter.TYPE.equals(filter.getType())
          && filter.getRequestMirror() != null) {
        resolved.add(
            backends.resolve(
                kind,
                namespace,
                filter.getRequestMirror().getBackendRef(),
                field + ".filters[" + f + "].requestMirror.backendRef",
                reads));
      }
    }
    return resolved;
  }

  private static Optional<Backend> backendOf(BackendResolver.BackendResolution resolution) {
    return resolution instanceof BackendResolver.BackendResolution.Resolved resolved
        ? Optional.of(resolved.backend())
        : Optional.empty();
  }

  private static Condition resolvedRefs(
      List<List<BackendResolver.BackendResolution>> resolutions,
      List<List<BackendResolver.BackendResolution>> mirrors) {
    List<BackendResolver.BackendResolution.Unresolved> unresolved = unresolved(resolutions);
    List<BackendResolver.BackendResolution.Unresolved> unresolvedMirrors = unresolved(mirrors);
    if (unresolved.isEmpty() && unresolvedMirrors.isEmpty()) {
      return new Condition.True("ResolvedRefs", "all backendRefs resolved");
    }
    List<String> messages = new ArrayList<>();
    if (!unresolved.isEmpty()) {
      messages.add(
          String.join(
                  "; ",
                  unresolved.stream()
                      .map(BackendResolver.BackendResolution.Unresolved::message)
                      .toList())
              + "; requests for "
              + (unresolved.size() == 1 ? "it" : "them")
              + " get 500");
    }
    if (!unresolvedMirrors.isEmpty()) {
      messages.add(
          String.join(
                  "; ",
                  unresolvedMirrors.stream()
                      .map(BackendResolver.BackendResolution.Unresolved::message)
                      .toList())
              + "; requests are not mirrored there");
    }
    return new Condition.False(
        (unresolved.isEmpty() ? unresolvedMirrors : unresolved).get(0).reason(),
        String.join("; ", messages));
  }

  private static List<BackendResolver.BackendResolution.Unresolved> unresolved(
      List<List<BackendResolver.BackendResolution>> resolutions) {
    return resolutions.stream()
        .flatMap(List::stream)
        .filter(BackendResolver.BackendResolution.Unresolved.class::isInstance)
        .map(BackendResolver.BackendResolution.Unresolved.class::cast)
        .toList();
  }

  /**
   * Finds the listeners of {@code gateway} {@code parentRef} attaches the route to, adding the
   * served ones to {@code attachments} and their names to {@code listeners}, and the names of
   * {@link GatewayTranslator.GatewayListeners#unserved unserved} ones to {@code unserved}; returns
   * why it attaches nowhere, if it does not.
   */
  private static Optional<Condition.False> attach(
      String field,
      String kind,
      String routeNamespace,
      Supplier<Map<String, String>> labels,
      ParentReference parentRef,
      ParentRef parent,
      GatewayTranslator.GatewayListeners gateway,
      List<Hostname> hostnames,
      List<Attachment> attachments,
      Set<String> listeners,
      Set<String> unserved) {
    String gatewayKey = parent.namespace() + "/" + parent.name();
    List<GatewayTranslator.AcceptedListener> selected =
        Stream.concat(gateway.listeners().stream(), gateway.unserved().stream())
            .filter(l -> parent.sectionName().map(l.name()::equals).orElse(true))
            .filter(l -> parentRef.getPort() == null || parentRef.getPort() == l.port())
            .toList();
    if (selected.isEmpty()) {
      return Optional.of(
          new Condition.False(
              "NoMatchingParent",
              field
                  + ": Gateway "
                  + gatewayKey
                  + " has no accepted listener"
                  + parent.sectionName().map(s -> " named " + s).orElse("")
                  + (parentRef.getPort() == null ? "" : " on port " + parentRef.getPort())));
    }
    List<GatewayTranslator.AcceptedListener> ofKind =
        selected.stream().filter(l -> l.routeKinds().contains(kind)).toList();
    if (ofKind.isEmpty()) {
      return Optional.of(
          new Condition.False(
              "NotAllowedByListeners",
              field
                  + ": the listeners of Gateway "
                  + gatewayKey
                  + " do not admit "
                  + kind
                  + "s (allowedRoutes.kinds)"));
    }
    List<GatewayTranslator.AcceptedListener> allowed =
        ofKind.stream()
            .filter(l -> l.namespaces().admits(routeNamespace, gateway.namespace(), labels))
            .toList();
    if (allowed.isEmpty()) {
      return Optional.of(
          new Condition.False(
              "NotAllowedByListeners",
              field
                  + ": the listeners of Gateway "
                  + gatewayKey
                  + " do not admit routes from namespace "
                  + routeNamespace
                  + " (their allowedRoutes.namespaces)"));
    }
    boolean attached = false;
    for (GatewayTranslator.AcceptedListener listener : allowed) {
      Set<String> served = served(listener.hostname(), hostnames);
      if (!served.isEmpty()) {
        if (gateway.unserved().contains(listener)) {
          unserved.add(listener.name());
        } else {
          attachments.add(new Attachment(gateway.fleet(), listener.port(), served));
          listeners.add(listener.name());
        }
        attached = true;
      }
    }
    return attached
        ? Optional.empty()
        : Optional.of(
            new Condition.False(
                "NoMatchingListenerHostname",
                field
                    + ": no hostname of the route matches a listener hostname of Gateway "
                    + gatewayKey));
  }

  private static boolean isGateway(ParentReference parentRef) {
    return Objects.requireNonNullElse(parentRef.getGroup(), GatewayTranslator.GROUP)
            .equals(GatewayTranslator.GROUP)
        && Objects.requireNonNullElse(parentRef.getKind(), GatewayTranslator.KIND)
            .equals(GatewayTranslator.KIND);
  }

  /** The hostnames a route serves on a listener; {@code *} stands for all of them. */
  private static Set<String> served(Optional<Hostname> listener, List<Hostname> route) {
    Set<String> served = new LinkedHashSet<>();
    if (route.isEmpty()) {
      served.add(listener.map(Hostname::value).orElse("*"));
    } else if (listener.isEmpty()) {
      route.forEach(h -> served.add(h.value()));
    } else {
      route.forEach(h -> h.intersect(listener.get()).ifPresent(i -> served.add(i.value())));
    }
    return served;
  }

  private static Instant created(HasMetadata route) {
    String timestamp = route.getMetadata().getCreationTimestamp();
    if (timestamp == null) {
      return Instant.MAX;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }
}
