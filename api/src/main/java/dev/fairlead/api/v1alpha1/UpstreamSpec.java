package dev.fairlead.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/**
 * What an Upstream points at and how Envoy talks to it. Exactly one of {@code kube} and {@code
 * static} is set; the API server enforces that, and every other constraint declared here, before an
 * object is stored.
 *
 * <p>{@code healthChecks} holds at most one check: Envoy accepts several only when each has a name
 * ("all health checks must have a name when multiple health checks are configured"), and the Envoy
 * API that Fairlead builds clusters with (java-control-plane 1.0.49) has no {@code name} field on a
 * health check. A second one is therefore rejected here, where its author sees it, rather than
 * NACKed later.
 *
 * <p>Build one with {@link #builder()}: ten positional components, most of them null in any given
 * spec, are unreadable at a call site. The builder is written by hand, not generated
 * (RecordBuilder, Immutables): ten setters do not justify an annotation processor in the build of
 * the module whose classes the CRD is generated from.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.kube) != has(self.static)",
    message = "exactly one of spec.kube and spec.static must be set")
@JsonIgnoreProperties(ignoreUnknown = true)
public record UpstreamSpec(
    @JsonPropertyDescription(
            "A Kubernetes Service port whose EndpointSlices provide the endpoints.")
        KubeService kube,
    @JsonProperty("static") @JsonPropertyDescription("A fixed list of hosts.")
        StaticHosts staticHosts,
    @JsonPropertyDescription(
            "Time allowed to open a connection, as a duration (e.g. 250ms, 5s). Default 5s.")
        @Pattern(Durations.PATTERN)
        @Size(max = Durations.MAX_LENGTH)
        String connectTimeout,
    @JsonPropertyDescription("How requests are spread over endpoints.") LoadBalancer loadBalancer,
    @JsonPropertyDescription("Limits Envoy applies to this upstream as a whole.")
        CircuitBreakers circuitBreakers,
    @JsonPropertyDescription("Ejection of endpoints that keep failing.")
        OutlierDetection outlierDetection,
    @JsonPropertyDescription("Active health checks; at most one.") @Size(max = 1)
        List<HealthCheck> healthChecks,
    @JsonPropertyDescription("Protocol spoken to the endpoints: HTTP1 (default), HTTP2 or GRPC.")
        Protocol protocol,
    @JsonPropertyDescription("TLS to the endpoints.") UpstreamTls tls,
    @JsonPropertyDescription(
            "Allocation mode: endpoints are held by one allocation at a time and reached through "
                + "the gateway with the header x-fairlead-allocation.")
        UpstreamAllocation allocation) {

  public UpstreamSpec {
    healthChecks = healthChecks == null ? null : List.copyOf(healthChecks);
  }

  /**
   * An empty builder; {@link Builder#build()} without any setter gives a spec with every component
   * null.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether the Upstream is in allocation mode. */
  public boolean allocationMode() {
    return allocation != null && Boolean.TRUE.equals(allocation.enabled());
  }

  // The CEL rule sits on the accessor, not the component: there it would reach the field as well,
  // and the CRD generator, which reads both, would list it twice.
  @ValidationRule(
      value = Durations.POSITIVE_AT_MOST_HOUR,
      message = Durations.POSITIVE_AT_MOST_HOUR_MESSAGE)
  @Override
  public String connectTimeout() {
    return connectTimeout;
  }

  /**
   * Sets components by name, then {@link #build()}s an {@link UpstreamSpec}; a component never set
   * is null. Not thread-safe; a builder is meant for one call site.
   */
  public static final class Builder {
    private KubeService kube;
    private StaticHosts staticHosts;
    private String connectTimeout;
    private LoadBalancer loadBalancer;
    private CircuitBreakers circuitBreakers;
    private OutlierDetection outlierDetection;
    private List<HealthCheck> healthChecks;
    private Protocol protocol;
    private UpstreamTls tls;
    private UpstreamAllocation allocation;

    private Builder() {}

    public Builder kube(KubeService kube) {
      this.kube = kube;
      return this;
    }

    public Builder staticHosts(StaticHosts staticHosts) {
      this.staticHosts = staticHosts;
      return this;
    }

    public Builder connectTimeout(String connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    public Builder loadBalancer(LoadBalancer loadBalancer) {
      this.loadBalancer = loadBalancer;
      return this;
    }

    public Builder circuitBreakers(CircuitBreakers circuitBreakers) {
      this.circuitBreakers = circuitBreakers;
      return this;
    }

    public Builder outlierDetection(OutlierDetection outlierDetection) {
      this.outlierDetection = outlierDetection;
      return this;
    }

    public Builder healthChecks(List<HealthCheck> healthChecks) {
      this.healthChecks = healthChecks;
      return this;
    }

    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    public Builder tls(UpstreamTls tls) {
      this.tls = tls;
      return this;
    }

    public Builder allocation(UpstreamAllocation allocation) {
      this.allocation = allocation;
      return this;
    }

    public UpstreamSpec build() {
      return new UpstreamSpec(
          kube,
          staticHosts,
          connectTimeout,
          loadBalancer,
          circuitBreakers,
          outlierDetection,
          healthChecks,
          protocol,
          tls,
          allocation);
    }
  }
}
