package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What an Upstream points at and how Envoy talks to it. Exactly one of {@code kube} and {@code static} is set; the
 * API server enforces that, and every other constraint declared here, before an object is stored.
 *
 * <p>{@code healthChecks} holds at most one check: Envoy refuses a cluster with more ("Multiple health checks not
 * supported"), so a second one is rejected here, where its author sees it, rather than NACKed later.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.kube) != has(self.static)",
    message = "exactly one of spec.kube and spec.static must be set")
public record UpstreamSpec(
    @JsonPropertyDescription("A Kubernetes Service port whose EndpointSlices provide the endpoints.")
    KubeService kube,
    @JsonProperty("static")
    @JsonPropertyDescription("A fixed list of hosts.")
    StaticHosts staticHosts,
    @JsonPropertyDescription("Time allowed to open a connection, as a duration (e.g. 250ms, 5s). Default 5s.")
    @Pattern(Durations.PATTERN)
    @Size(max = Durations.MAX_LENGTH)
    String connectTimeout,
    @JsonPropertyDescription("How requests are spread over endpoints.")
    LoadBalancer loadBalancer,
    @JsonPropertyDescription("Limits Envoy applies to this upstream as a whole.")
    CircuitBreakers circuitBreakers,
    @JsonPropertyDescription("Ejection of endpoints that keep failing.")
    OutlierDetection outlierDetection,
    @JsonPropertyDescription("Active health checks; at most one, as Envoy runs one per cluster.")
    @Size(max = 1)
    List<HealthCheck> healthChecks,
    @JsonPropertyDescription("Protocol spoken to the endpoints: HTTP1 (default), HTTP2 or GRPC.")
    Protocol protocol,
    @JsonPropertyDescription("TLS to the endpoints.")
    UpstreamTls tls,
    @JsonPropertyDescription("Allocation mode: endpoints are held by one allocation at a time and reached through "
        + "the gateway with the header x-fairlead-allocation.")
    UpstreamAllocation allocation) {

  public UpstreamSpec {
    healthChecks = healthChecks == null ? null : List.copyOf(healthChecks);
  }

  /** A spec in shared mode (no {@code allocation}). */
  public UpstreamSpec(KubeService kube, StaticHosts staticHosts, String connectTimeout, LoadBalancer loadBalancer,
      CircuitBreakers circuitBreakers, OutlierDetection outlierDetection, List<HealthCheck> healthChecks,
      Protocol protocol, UpstreamTls tls) {
    this(kube, staticHosts, connectTimeout, loadBalancer, circuitBreakers, outlierDetection, healthChecks, protocol,
        tls, null);
  }

  /** Whether the Upstream is in allocation mode. */
  public boolean allocationMode() {
    return allocation != null && Boolean.TRUE.equals(allocation.enabled());
  }

  // The CEL rule sits on the accessor, not the component: there it would reach the field as well, and the CRD
  // generator, which reads both, would list it twice.
  @ValidationRule(value = Durations.POSITIVE_AT_MOST_HOUR, message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
  @Override
  public String connectTimeout() {
    return connectTimeout;
  }
}
