package dev.fairlead.xds.translate;

import com.google.protobuf.Any;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.UInt64Value;
import dev.fairlead.api.v1alpha1.CircuitBreakers;
import dev.fairlead.api.v1alpha1.HealthCheck;
import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.OutlierDetection;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.v1alpha1.UpstreamTls;
import io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.Thresholds;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.RoutingPriority;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.envoyproxy.envoy.type.v3.CodecClientType;
import java.util.Optional;

/**
 * Builds the Envoy Cluster for a validated Upstream spec (or the defaults a bare Service backend
 * gets): EDS over ADS, or STRICT_DNS with the endpoints inline when static hosts include DNS names
 * (EDS endpoints must be IP addresses), with the connect timeout, load balancer, circuit breakers,
 * outlier detection, health checks, HTTP/2 and TLS the spec asks for. Absent fields keep Envoy's
 * defaults, except the connect timeout (5s) and the health-check timings (interval 5s, timeout 1s
 * or the interval if shorter, healthy 1, unhealthy 3).
 *
 * <p>Stateless and thread-safe; expects a spec that passed {@link UpstreamValidator}.
 */
final class ClusterTranslator {

  static final String TLS_TRANSPORT_SOCKET = "envoy.transport_sockets.tls";
  static final String HTTP_PROTOCOL_OPTIONS =
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

  private static final GoDuration DEFAULT_CONNECT_TIMEOUT = GoDuration.ofSeconds(5);
  private static final GoDuration DEFAULT_HEALTH_CHECK_INTERVAL = GoDuration.ofSeconds(5);
  private static final GoDuration DEFAULT_HEALTH_CHECK_TIMEOUT = GoDuration.ofSeconds(1);
  private static final long RING_HASH_MINIMUM_RING_SIZE = 1024;
  private static final long RING_HASH_MAXIMUM_RING_SIZE = 8_388_608;
  private static final long MAGLEV_TABLE_SIZE = 65_537;

  /**
   * The cluster {@code name} for {@code spec}.
   *
   * @param trustedCa the PEM bundle {@code spec.tls.caBundleRef} resolved to, if it is set
   * @param inlineEndpoints the endpoints, for a STRICT_DNS cluster; empty for an EDS cluster
   */
  Cluster translate(
      String name,
      UpstreamSpec spec,
      Optional<String> trustedCa,
      Optional<ClusterLoadAssignment> inlineEndpoints) {
    Cluster.Builder cluster =
        Cluster.newBuilder()
            .setName(name)
            .setConnectTimeout(duration(spec.connectTimeout(), DEFAULT_CONNECT_TIMEOUT).toProto());
    inlineEndpoints.ifPresentOrElse(
        endpoints ->
            cluster
                .setType(Cluster.DiscoveryType.STRICT_DNS)
                .setDnsLookupFamily(Cluster.DnsLookupFamily.V4_PREFERRED)
                .setLoadAssignment(endpoints),
        () ->
            cluster
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(
                    Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Ads.CONFIG_SOURCE)));
    loadBalancer(spec.loadBalancer() == null ? null : spec.loadBalancer().policy(), cluster);
    if (spec.circuitBreakers() != null) {
      cluster.setCircuitBreakers(circuitBreakers(spec.circuitBreakers()));
    }
    if (spec.outlierDetection() != null) {
      cluster.setOutlierDetection(outlierDetection(spec.outlierDetection()));
    }
    boolean http2 = spec.protocol() == Protocol.HTTP2 || spec.protocol() == Protocol.GRPC;
    if (spec.healthChecks() != null) {
      spec.healthChecks().forEach(check -> cluster.addHealthChecks(healthCheck(check, http2)));
    }
    if (http2) {
      cluster.putTypedExtensionProtocolOptions(
          HTTP_PROTOCOL_OPTIONS,
          Any.pack(
              HttpProtocolOptions.newBuilder()
                  .setExplicitHttpConfig(
                      HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                          .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
                  .build()));
    }
    if (spec.tls() != null) {
      cluster.setTransportSocket(
          TransportSocket.newBuilder()
              .setName(TLS_TRANSPORT_SOCKET)
              .setTypedConfig(Any.pack(tls(spec.tls(), trustedCa, http2))));
    }
    return cluster.build();
  }

  private static void loadBalancer(LoadBalancerPolicy policy, Cluster.Builder cluster) {
    LoadBalancerPolicy chosen = policy == null ? LoadBalancerPolicy.ROUND_ROBIN : policy;
    cluster.setLbPolicy(
        switch (chosen) {
          case ROUND_ROBIN -> Cluster.LbPolicy.ROUND_ROBIN;
          case LEAST_REQUEST -> Cluster.LbPolicy.LEAST_REQUEST;
          case RANDOM -> Cluster.LbPolicy.RANDOM;
          case RING_HASH -> Cluster.LbPolicy.RING_HASH;
          case MAGLEV -> Cluster.LbPolicy.MAGLEV;
        });
    if (chosen == LoadBalancerPolicy.RING_HASH) {
      cluster.setRingHashLbConfig(
          Cluster.RingHashLbConfig.newBuilder()
              .setMinimumRingSize(UInt64Value.of(RING_HASH_MINIMUM_RING_SIZE))
              .setMaximumRingSize(UInt64Value.of(RING_HASH_MAXIMUM_RING_SIZE)));
    } else if (chosen == LoadBalancerPolicy.MAGLEV) {
      cluster.setMaglevLbConfig(
          Cluster.MaglevLbConfig.newBuilder().setTableSize(UInt64Value.of(MAGLEV_TABLE_SIZE)));
    }
  }

  private static io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers circuitBreakers(
      CircuitBreakers spec) {
    Thresholds.Builder thresholds = Thresholds.newBuilder().setPriority(RoutingPriority.DEFAULT);
    if (spec.maxConnections() != null) {
      thresholds.setMaxConnections(UInt32Value.of(spec.maxConnections()));
    }
    if (spec.maxPendingRequests() != null) {
      thresholds.setMaxPendingRequests(UInt32Value.of(spec.maxPendingRequests()));
    }
    if (spec.maxRequests() != null) {
      thresholds.setMaxRequests(UInt32Value.of(spec.maxRequests()));
    }
    if (spec.maxRetries() != null) {
      thresholds.setMaxRetries(UInt32Value.of(spec.maxRetries()));
    }
    return io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers.newBuilder()
        .addThresholds(thresholds)
        .build();
  }

  private static io.envoyproxy.envoy.config.cluster.v3.OutlierDetection outlierDetection(
      OutlierDetection spec) {
    io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.Builder detection =
        io.envoyproxy.envoy.config.cluster.v3.OutlierDetection.newBuilder();
    if (spec.consecutive5xx() != null) {
      detection.setConsecutive5Xx(UInt32Value.of(spec.consecutive5xx()));
    }
    if (spec.interval() != null) {
      detection.setInterval(duration(spec.interval(), null).toProto());
    }
    if (spec.baseEjectionTime() != null) {
      detection.setBaseEjectionTime(duration(spec.baseEjectionTime(), null).toProto());
    }
    if (spec.maxEjectionPercent() != null) {
      detection.setMaxEjectionPercent(UInt32Value.of(spec.maxEjectionPercent()));
    }
    return detection.build();
  }

  private static io.envoyproxy.envoy.config.core.v3.HealthCheck healthCheck(
      HealthCheck spec, boolean http2) {
    GoDuration interval = duration(spec.interval(), DEFAULT_HEALTH_CHECK_INTERVAL);
    GoDuration defaultTimeout =
        DEFAULT_HEALTH_CHECK_TIMEOUT.isLongerThan(interval)
            ? interval
            : DEFAULT_HEALTH_CHECK_TIMEOUT;
    io.envoyproxy.envoy.config.core.v3.HealthCheck.HttpHealthCheck.Builder http =
        io.envoyproxy.envoy.config.core.v3.HealthCheck.HttpHealthCheck.newBuilder()
            .setPath(spec.path());
    if (http2) {
      http.setCodecClientType(CodecClientType.HTTP2);
    }
    return io.envoyproxy.envoy.config.core.v3.HealthCheck.newBuilder()
        .setTimeout(duration(spec.timeout(), defaultTimeout).toProto())
        .setInterval(interval.toProto())
        .setHealthyThreshold(
            UInt32Value.of(spec.healthyThreshold() == null ? 1 : spec.healthyThreshold()))
        .setUnhealthyThreshold(
            UInt32Value.of(spec.unhealthyThreshold() == null ? 3 : spec.unhealthyThreshold()))
        .setHttpHealthCheck(http)
        .build();
  }

  private static UpstreamTlsContext tls(
      UpstreamTls spec, Optional<String> trustedCa, boolean http2) {
    CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
    if (http2) {
      // Without ALPN many HTTP/2 servers (gRPC among them) refuse the connection.
      common.addAlpnProtocols("h2");
    }
    trustedCa.ifPresent(
        pem -> {
          CertificateValidationContext.Builder validation =
              CertificateValidationContext.newBuilder()
                  .setTrustedCa(DataSource.newBuilder().setInlineString(pem));
          if (spec.sni() != null) {
            validation.addMatchTypedSubjectAltNames(
                SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.DNS)
                    .setMatcher(StringMatcher.newBuilder().setExact(spec.sni())));
          }
          common.setValidationContext(validation);
        });
    UpstreamTlsContext.Builder context =
        UpstreamTlsContext.newBuilder().setCommonTlsContext(common);
    if (spec.sni() != null) {
      context.setSni(spec.sni());
    }
    return context.build();
  }

  /** A validated duration field, or {@code fallback} when it is absent. */
  private static GoDuration duration(String value, GoDuration fallback) {
    return value == null ? fallback : GoDuration.parse(value).orElseThrow();
  }
}
