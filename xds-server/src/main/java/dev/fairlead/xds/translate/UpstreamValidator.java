package dev.fairlead.xds.translate;

import com.google.common.net.InetAddresses;
import dev.fairlead.api.v1alpha1.CaBundleRef;
import dev.fairlead.api.v1alpha1.CircuitBreakers;
import dev.fairlead.api.v1alpha1.HealthCheck;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.OutlierDetection;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.StaticHosts;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.v1alpha1.UpstreamTls;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks the API server applies to an Upstream (schema and CEL rules of the CRD), made again
 * because standalone mode reads files that never went through an API server, and because Envoy
 * rejects a whole update for one bad value. An Upstream that fails any of them is not translated at
 * all. The bounds repeat those the api records declare for the CRD; {@code
 * UpstreamValidatorCrdBoundsTest} reads the generated CRD and fails when the two disagree.
 *
 * <p>Stateless and thread-safe.
 */
final class UpstreamValidator {

  static final int MAX_HEALTH_CHECKS = 1;
  private static final int MAX_DURATION_LENGTH = 32;

  private static final Pattern DNS_NAME =
      Pattern.compile(
          "[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*\\.?");

  /** What Envoy accepts in an HTTP health-check path: no control characters and no spaces. */
  private static final Pattern HEALTH_CHECK_PATH = Pattern.compile("/[\\x21-\\x7e]*");

  /**
   * Every problem with {@code spec}, each as {@code field: what is wrong}; empty when the spec is
   * valid.
   */
  List<String> problems(UpstreamSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: required");
      return problems;
    }
    if ((spec.kube() == null) == (spec.staticHosts() == null)) {
      problems.add(
          "spec: exactly one of kube and static must be set, found "
              + (spec.kube() == null ? "neither" : "both"));
    }
    if (spec.kube() != null) {
      kube(spec.kube(), problems);
    }
    if (spec.staticHosts() != null) {
      staticHosts(spec.staticHosts(), problems);
    }
    duration("spec.connectTimeout", spec.connectTimeout(), problems);
    if (spec.circuitBreakers() != null) {
      circuitBreakers(spec.circuitBreakers(), problems);
    }
    if (spec.outlierDetection() != null) {
      outlierDetection(spec.outlierDetection(), problems);
    }
    if (spec.healthChecks() != null) {
      if (spec.healthChecks().size() > MAX_HEALTH_CHECKS) {
        // Envoy 1.40 requires a name on each of several health checks (HealthCheck.name), a field
        // the java-control-plane 1.0.49 protos do not have yet; one health check needs no name.
        problems.add(
            "spec.healthChecks: at most "
                + MAX_HEALTH_CHECKS
                + " health check is supported for now, found "
                + spec.healthChecks().size());
      }
      for (int i = 0; i < spec.healthChecks().size(); i++) {
        healthCheck("spec.healthChecks[" + i + "]", spec.healthChecks().get(i), problems);
      }
    }
    if (spec.tls() != null) {
      tls(spec.tls(), problems);
    }
    return problems;
  }

  private static void kube(KubeService kube, List<String> problems) {
    if (kube.serviceName() == null || kube.serviceName().isBlank()) {
      problems.add("spec.kube.serviceName: required");
    } else {
      length("spec.kube.serviceName", kube.serviceName(), 63, problems);
    }
    if (kube.namespace() != null) {
      length("spec.kube.namespace", kube.namespace(), 63, problems);
    }
    if (kube.port() == null) {
      problems.add("spec.kube.port: required");
    } else {
      range("spec.kube.port", kube.port(), 1, 65535, problems);
    }
  }

  private static void staticHosts(StaticHosts hosts, List<String> problems) {
    int count = hosts.hosts() == null ? 0 : hosts.hosts().size();
    if (count < 1 || count > 1000) {
      problems.add("spec.static.hosts: must list 1-1000 hosts, found " + count);
      return;
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String field = "spec.static.hosts[" + i + "]";
      StaticHost host = hosts.hosts().get(i);
      if (host == null) {
        problems.add(field + ": required");
        continue;
      }
      address(field + ".address", host.address(), problems);
      if (host.port() == null) {
        problems.add(field + ".port: required");
      } else {
        range(field + ".port", host.port(), 1, 65535, problems);
      }
      if (host.weight() != null) {
        range(field + ".weight", host.weight(), 1, 1000, problems);
      }
      Integer first = seen.putIfAbsent(host.address() + " " + host.port(), i);
      if (first != null) {
        problems.add(
            field
                + ": duplicates spec.static.hosts["
                + first
                + "] ("
                + host.address()
                + ":"
                + host.port()
                + ")");
      }
    }
  }

  private static void address(String field, String address, List<String> problems) {
    if (address == null || address.isEmpty()) {
      problems.add(field + ": required");
    } else if (address.length() > 253) {
      problems.add(field + ": must be at most 253 characters, was " + address.length());
    } else if (!isIpAddress(address) && !DNS_NAME.matcher(address).matches()) {
      problems.add(field + ": must be an IP address or a DNS name, was \"" + address + "\"");
    }
  }

  /** Whether {@code address} is an IPv4 or IPv6 literal (never resolves anything). */
  static boolean isIpAddress(String address) {
    return InetAddresses.isInetAddress(address);
  }

  private static void circuitBreakers(CircuitBreakers breakers, List<String> problems) {
    optionalRange(
        "spec.circuitBreakers.maxConnections", breakers.maxConnections(), 1, 1_000_000, problems);
    optionalRange(
        "spec.circuitBreakers.maxPendingRequests",
        breakers.maxPendingRequests(),
        1,
        1_000_000,
        problems);
    optionalRange(
        "spec.circuitBreakers.maxRequests", breakers.maxRequests(), 1, 1_000_000, problems);
    optionalRange("spec.circuitBreakers.maxRetries", breakers.maxRetries(), 0, 1_000_000, problems);
  }

  private static void outlierDetection(OutlierDetection detection, List<String> problems) {
    optionalRange(
        "spec.outlierDetection.consecutive5xx", detection.consecutive5xx(), 1, 1000, problems);
    duration("spec.outlierDetection.interval", detection.interval(), problems);
    duration("spec.outlierDetection.baseEjectionTime", detection.baseEjectionTime(), problems);
    optionalRange(
        "spec.outlierDetection.maxEjectionPercent",
        detection.maxEjectionPercent(),
        0,
        100,
        problems);
  }

  private static void healthCheck(String field, HealthCheck check, List<String> problems) {
    if (check == null) {
      problems.add(field + ": required");
      return;
    }
    if (check.path() == null || check.path().isEmpty()) {
      problems.add(field + ".path: required");
    } else if (!check.path().startsWith("/")) {
      problems.add(field + ".path: must start with /, was \"" + check.path() + "\"");
    } else if (!HEALTH_CHECK_PATH.matcher(check.path()).matches()) {
      problems.add(field + ".path: must not contain spaces or control characters");
    }
    Optional<GoDuration> interval = duration(field + ".interval", check.interval(), problems);
    Optional<GoDuration> timeout = duration(field + ".timeout", check.timeout(), problems);
    if (interval.isPresent() && timeout.isPresent() && timeout.get().isLongerThan(interval.get())) {
      problems.add(
          field
              + ".timeout: must not be longer than interval ("
              + check.timeout()
              + " > "
              + check.interval()
              + ")");
    }
    optionalRange(field + ".healthyThreshold", check.healthyThreshold(), 1, 100, problems);
    optionalRange(field + ".unhealthyThreshold", check.unhealthyThreshold(), 1, 100, problems);
  }

  private static void tls(UpstreamTls tls, List<String> problems) {
    if (tls.sni() != null) {
      length("spec.tls.sni", tls.sni(), 253, problems);
    }
    CaBundleRef ref = tls.caBundleRef();
    if (ref != null) {
      if (ref.configMapName() == null) {
        problems.add("spec.tls.caBundleRef.configMapName: required");
      } else {
        length("spec.tls.caBundleRef.configMapName", ref.configMapName(), 253, problems);
      }
      if (ref.key() != null) {
        length("spec.tls.caBundleRef.key", ref.key(), 253, problems);
      }
    }
  }

  /** Checks an optional duration; returns it when it is set and valid. */
  private static Optional<GoDuration> duration(String field, String value, List<String> problems) {
    if (value == null) {
      return Optional.empty();
    }
    if (value.length() > MAX_DURATION_LENGTH) {
      problems.add(
          field
              + ": must be at most "
              + MAX_DURATION_LENGTH
              + " characters, was "
              + value.length());
      return Optional.empty();
    }
    Optional<GoDuration> duration = GoDuration.parse(value);
    if (duration.isEmpty()) {
      problems.add(
          field + ": must be a duration such as 250ms, 5s or 1m30s, was \"" + value + "\"");
    } else if (duration.get().nanos() <= 0 || duration.get().isLongerThan(GoDuration.ONE_HOUR)) {
      problems.add(field + ": must be greater than 0s and at most 1h, was " + value);
      return Optional.empty();
    }
    return duration;
  }

  private static void optionalRange(
      String field, Integer value, int min, int max, List<String> problems) {
    if (value != null) {
      range(field, value, min, max, problems);
    }
  }

  private static void range(String field, int value, int min, int max, List<String> problems) {
    if (value < min || value > max) {
      problems.add(field + ": must be " + min + "-" + max + ", was " + value);
    }
  }

  private static void length(String field, String value, int max, List<String> problems) {
    if (value.isEmpty() || value.length() > max) {
      problems.add(field + ": must be 1-" + max + " characters, was " + value.length());
    }
  }
}
