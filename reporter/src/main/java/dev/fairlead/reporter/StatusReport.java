package dev.fairlead.reporter;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.verdict.Verdict;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything the reporter reflects at one moment, as a value: the app builds a new one whenever any
 * part changes and hands it to {@link StatusReporter#report}. The reporter works from the latest
 * report only, so a report must be complete, never a delta.
 *
 * @param verdicts the translator's verdicts: one per Upstream, one per Gateway, one per (HTTPRoute,
 *     parentRef); each names the object's UID and generation
 * @param readyEndpoints ready endpoints per Upstream, keyed by {@code namespace/name}; an Upstream
 *     missing here gets no {@code status.readyEndpoints}
 * @param rejections configuration proxies rejected, keyed by {@link #objectKey(String, String,
 *     String) "Kind namespace/name"} of the object that produced it
 * @param gatewayControllerName the controller name written into the HTTPRoute parent statuses
 *     Fairlead owns; entries of other controllers are left as they are
 * @param fleets what the infrastructure of Gateways' fleets says (addresses, readiness), by Gateway
 *     {@code namespace/name}; a Gateway missing here keeps its {@code status.addresses} and its
 *     {@code Programmed} depends on the proxies alone
 * @param proxies how the proxies of every replica hold each object's configuration, keyed like
 *     {@code rejections}; an object missing here gets a {@code Programmed} message without counts
 *     (and an Upstream no {@code status.proxies})
 */
public record StatusReport(
    List<Verdict> verdicts,
    Map<String, Integer> readyEndpoints,
    Map<String, Rejection> rejections,
    String gatewayControllerName,
    Map<String, FleetStatus> fleets,
    Map<String, ProxyTally> proxies) {

  /** The controller name of Fairlead's GatewayClass. */
  public static final String GATEWAY_CONTROLLER_NAME = GatewayController.NAME;

  private static final Pattern OBJECT_KEY = Pattern.compile("[A-Za-z]+ [^/\\s]+/[^/\\s]+");
  private static final Pattern NAMESPACED_NAME = Pattern.compile("[^/\\s]+/[^/\\s]+");

  public StatusReport {
    verdicts = List.copyOf(verdicts);
    readyEndpoints = Map.copyOf(readyEndpoints);
    rejections = Map.copyOf(rejections);
    Objects.requireNonNull(gatewayControllerName, "gatewayControllerName");
    fleets = Map.copyOf(fleets);
    for (String key : fleets.keySet()) {
      if (!NAMESPACED_NAME.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "fleets key must be namespace/name, was \"" + key + "\"");
      }
    }
    for (String key : readyEndpoints.keySet()) {
      if (!NAMESPACED_NAME.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "readyEndpoints key must be namespace/name, was \"" + key + "\"");
      }
    }
    proxies = Map.copyOf(proxies);
    for (String key : proxies.keySet()) {
      if (!OBJECT_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "proxies key must be \"Kind namespace/name\", was \"" + key + "\"");
      }
    }
    for (String key : rejections.keySet()) {
      if (!OBJECT_KEY.matcher(key).matches()) {
        throw new IllegalArgumentException(
            "rejections key must be \"Kind namespace/name\", was \"" + key + "\"");
      }
    }
  }

  /** A report that counts no proxies. */
  public StatusReport(
      List<Verdict> verdicts,
      Map<String, Integer> readyEndpoints,
      Map<String, Rejection> rejections,
      String gatewayControllerName,
      Map<String, FleetStatus> fleets) {
    this(verdicts, readyEndpoints, rejections, gatewayControllerName, fleets, Map.of());
  }

  /** A report that says nothing about fleets' infrastructure. */
  public StatusReport(
      List<Verdict> verdicts,
      Map<String, Integer> readyEndpoints,
      Map<String, Rejection> rejections,
      String gatewayControllerName) {
    this(verdicts, readyEndpoints, rejections, gatewayControllerName, Map.of());
  }

  /** A report with verdicts only, for Fairlead's own controller name. */
  public static StatusReport of(List<Verdict> verdicts) {
    return new StatusReport(verdicts, Map.of(), Map.of(), GATEWAY_CONTROLLER_NAME);
  }

  /**
   * The key of {@link #rejections()}: {@code "Kind namespace/name"}, e.g. {@code "Upstream
   * shop/cart-http"}.
   */
  public static String objectKey(String kind, String namespace, String name) {
    return kind + " " + namespace + "/" + name;
  }
}
