package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.verdict.ParentRef;
import dev.fairlead.api.verdict.Verdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link StatusReport} indexed by object: the {@link ObjectReport} of every object the report
 * mentions, so a worker finds what concerns its object in constant time, and two reports can be
 * compared object by object.
 *
 * <p>Immutable and thread-safe once built. Building one is linear in the size of the report; it
 * happens on the reporter's own thread, never on the caller of {@link StatusReporter#report}.
 */
final class ReportIndex {

  static final String UPSTREAM = "Upstream";
  static final String GATEWAY_CLASS = "GatewayClass";
  static final String GATEWAY = "Gateway";
  static final String HTTP_ROUTE = "HTTPRoute";
  static final String GRPC_ROUTE = "GRPCRoute";

  private final Map<ObjectKey, ObjectReport> objects;
  private final String gatewayControllerName;

  private ReportIndex(Map<ObjectKey, ObjectReport> objects, String gatewayControllerName) {
    this.objects = objects;
    this.gatewayControllerName = gatewayControllerName;
  }

  static ReportIndex of(StatusReport report) {
    Map<ObjectKey, List<Verdict>> verdicts = new HashMap<>();
    Map<ObjectKey, Map<String, Set<String>>> attached = new HashMap<>();
    for (Verdict verdict : report.verdicts()) {
      ObjectKey key =
          new ObjectKey(
              verdict.object().kind(), verdict.object().namespace(), verdict.object().name());
      verdicts.computeIfAbsent(key, k -> new ArrayList<>()).add(verdict);
      boolean route = HTTP_ROUTE.equals(key.kind()) || GRPC_ROUTE.equals(key.kind());
      if (route && verdict.parent().isPresent() && verdict.accepted().isTrue()) {
        ParentRef parent = verdict.parent().get();
        Map<String, Set<String>> byListener =
            attached.computeIfAbsent(
                new ObjectKey(GATEWAY, parent.namespace(), parent.name()), k -> new HashMap<>());
        for (String listener : verdict.attachedListeners()) {
          byListener.computeIfAbsent(listener, k -> new HashSet<>()).add(verdict.object().key());
        }
      }
    }
    Map<ObjectKey, Integer> ready = new HashMap<>();
    report
        .readyEndpoints()
        .forEach(
            (namespacedName, count) -> {
              int slash = namespacedName.indexOf('/');
              ready.put(
                  new ObjectKey(
                      UPSTREAM,
                      namespacedName.substring(0, slash),
                      namespacedName.substring(slash + 1)),
                  count);
            });
    Map<ObjectKey, Rejection> rejections = new HashMap<>();
    report
        .rejections()
        .forEach((key, rejection) -> rejections.put(ObjectKey.parse(key), rejection));

    Map<ObjectKey, ProxyTally> proxies = new HashMap<>();
    report.proxies().forEach((key, tally) -> proxies.put(ObjectKey.parse(key), tally));

    Map<ObjectKey, FleetStatus> fleets = new HashMap<>();
    report
        .fleets()
        .forEach(
            (namespacedName, fleet) -> {
              int slash = namespacedName.indexOf('/');
              fleets.put(
                  new ObjectKey(
                      GATEWAY,
                      namespacedName.substring(0, slash),
                      namespacedName.substring(slash + 1)),
                  fleet);
            });

    Set<ObjectKey> keys = new HashSet<>(verdicts.keySet());
    keys.addAll(attached.keySet());
    keys.addAll(ready.keySet());
    keys.addAll(rejections.keySet());
    keys.addAll(fleets.keySet());
    keys.addAll(proxies.keySet());
    Map<ObjectKey, ObjectReport> objects = new HashMap<>(keys.size() * 2);
    for (ObjectKey key : keys) {
      List<Verdict> about = new ArrayList<>(verdicts.getOrDefault(key, List.of()));
      about.sort(Verdict.ORDER);
      Map<String, Set<String>> routes = new HashMap<>();
      attached
          .getOrDefault(key, Map.of())
          .forEach((section, names) -> routes.put(section, Set.copyOf(names)));
      objects.put(
          key,
          new ObjectReport(
              about,
              Optional.ofNullable(ready.get(key)),
              Optional.ofNullable(rejections.get(key)),
              routes,
              report.gatewayControllerName(),
              Optional.ofNullable(fleets.get(key)),
              Optional.ofNullable(proxies.get(key))));
    }
    return new ReportIndex(Map.copyOf(objects), report.gatewayControllerName());
  }

  /** What the report says about {@code key}; {@link ObjectReport#empty} if nothing. */
  ObjectReport about(ObjectKey key) {
    ObjectReport found = objects.get(key);
    return found != null ? found : ObjectReport.empty(gatewayControllerName);
  }

  String gatewayControllerName() {
    return gatewayControllerName;
  }

  /**
   * The objects about which this report says something different from {@code previous}: the only
   * ones whose desired status can have changed. When the controller name differs, every HTTPRoute
   * may have changed, which this index cannot list; the caller then reconciles everything.
   */
  Set<ObjectKey> changedSince(ReportIndex previous) {
    Set<ObjectKey> changed = new HashSet<>();
    objects.forEach(
        (key, now) -> {
          if (!now.equals(previous.objects.get(key))) {
            changed.add(key);
          }
        });
    previous
        .objects
        .keySet()
        .forEach(
            key -> {
              if (!objects.containsKey(key)) {
                changed.add(key);
              }
            });
    return changed;
  }

  /**
   * Whether {@link #changedSince} lists everything that changed: the controller name is the same.
   */
  boolean comparableWith(ReportIndex previous) {
    return Objects.equals(gatewayControllerName, previous.gatewayControllerName);
  }
}
