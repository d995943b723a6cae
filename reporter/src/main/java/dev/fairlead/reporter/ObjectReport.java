package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.verdict.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What one {@link StatusReport} says about one object: everything its desired status is computed
 * from, besides the object itself. Two reports that say the same about an object give equal {@code
 * ObjectReport}s, which is how a new report wakes only the objects it changes.
 *
 * @param verdicts the verdicts naming this object (usually one; one per parent for an HTTPRoute; a
 *     recreated object's predecessor may still appear), in {@link Verdict#ORDER}
 * @param readyEndpoints for an Upstream, its ready endpoints, if reported
 * @param rejection what proxies rejected of this object's configuration, if anything
 * @param attachedRoutes for a Gateway, the accepted routes ({@code namespace/name}) attached to it,
 *     by the name of each listener their verdicts attach them to ({@link
 *     Verdict#attachedListeners})
 * @param gatewayControllerName the controller name HTTPRoute parent statuses are written under
 * @param fleet for a Gateway, what its fleet's infrastructure says, if reported
 * @param proxies how the proxies of every replica hold its configuration, if reported
 */
record ObjectReport(
    List<Verdict> verdicts,
    Optional<Integer> readyEndpoints,
    Optional<Rejection> rejection,
    Map<String, Set<String>> attachedRoutes,
    String gatewayControllerName,
    Optional<FleetStatus> fleet,
    Optional<ProxyTally> proxies) {

  ObjectReport {
    verdicts = List.copyOf(verdicts);
    Objects.requireNonNull(readyEndpoints, "readyEndpoints");
    Objects.requireNonNull(rejection, "rejection");
    attachedRoutes = Map.copyOf(attachedRoutes);
    Objects.requireNonNull(gatewayControllerName, "gatewayControllerName");
    Objects.requireNonNull(fleet, "fleet");
    Objects.requireNonNull(proxies, "proxies");
  }

  /** A report that counts no proxies. */
  ObjectReport(
      List<Verdict> verdicts,
      Optional<Integer> readyEndpoints,
      Optional<Rejection> rejection,
      Map<String, Set<String>> attachedRoutes,
      String gatewayControllerName,
      Optional<FleetStatus> fleet) {
    this(
        verdicts,
        readyEndpoints,
        rejection,
        attachedRoutes,
        gatewayControllerName,
        fleet,
        Optional.empty());
  }

  /** A report that says nothing about a fleet. */
  ObjectReport(
      List<Verdict> verdicts,
      Optional<Integer> readyEndpoints,
      Optional<Rejection> rejection,
      Map<String, Set<String>> attachedRoutes,
      String gatewayControllerName) {
    this(
        verdicts,
        readyEndpoints,
        rejection,
        attachedRoutes,
        gatewayControllerName,
        Optional.empty());
  }

  /** A report that says nothing about the object. */
  static ObjectReport empty(String gatewayControllerName) {
    return new ObjectReport(
        List.of(), Optional.empty(), Optional.empty(), Map.of(), gatewayControllerName);
  }

  /**
   * The verdicts about the object with this UID: those about an earlier object of the same name do
   * not apply.
   */
  List<Verdict> verdictsFor(String uid) {
    return verdicts.stream().filter(v -> v.object().uid().equals(uid)).toList();
  }
}
