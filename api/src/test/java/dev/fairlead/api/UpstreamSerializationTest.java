package dev.fairlead.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.CaBundleRef;
import dev.fairlead.api.v1alpha1.CircuitBreakers;
import dev.fairlead.api.v1alpha1.HealthCheck;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.LoadBalancer;
import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.OutlierDetection;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.StaticHosts;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.v1alpha1.UpstreamTls;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Upstream types map to and from the JSON field names of the CRD ({@code spec.static} is {@link
 * UpstreamSpec#staticHosts()}), survive a round trip through fabric8's serialization unchanged, and
 * leave an absent optional field absent: {@code null} in the record, and not written at all, so
 * that a server-side apply by discovery never claims a field it did not set.
 */
class UpstreamSerializationTest {

  @Test
  void staticInYamlIsStaticHostsInJava() {
    Upstream upstream =
        Serialization.unmarshal(
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: legacy
          namespace: shop
        spec:
          static:
            hosts:
            - address: 10.0.0.7
              port: 8080
              weight: 3
            - address: legacy.example.com
              port: 443
        """,
            Upstream.class);

    assertThat(upstream.getMetadata().getName()).isEqualTo("legacy");
    assertThat(upstream.getSpec().kube()).isNull();
    assertThat(upstream.getSpec().staticHosts())
        .isEqualTo(
            new StaticHosts(
                List.of(
                    new StaticHost("10.0.0.7", 8080, 3),
                    new StaticHost("legacy.example.com", 443, null))));
  }

  @Test
  void everyFieldSurvivesARoundTrip() {
    Upstream upstream =
        upstream(
            UpstreamSpec.builder()
                .kube(new KubeService("checkout", "shop", 8080))
                .connectTimeout("250ms")
                .loadBalancer(new LoadBalancer(LoadBalancerPolicy.LEAST_REQUEST))
                .circuitBreakers(new CircuitBreakers(100, 50, 200, 3))
                .outlierDetection(new OutlierDetection(5, "10s", "30s", 10))
                .healthChecks(List.of(new HealthCheck("/healthz", "5s", "1s", 1, 3)))
                .protocol(Protocol.GRPC)
                .tls(new UpstreamTls("checkout.shop.svc", new CaBundleRef("shop-ca", "ca.crt")))
                .build());
    upstream.setStatus(
        new UpstreamStatus(
            List.of(
                new ConditionBuilder()
                    .withType("Accepted")
                    .withStatus("True")
                    .withReason("Accepted")
                    .withMessage("")
                    .withObservedGeneration(2L)
                    .withLastTransitionTime("2025-01-02T03:04:05Z")
                    .build()),
            2L,
            3));

    Upstream fromYaml = Serialization.unmarshal(Serialization.asYaml(upstream), Upstream.class);
    Upstream fromJson = Serialization.unmarshal(Serialization.asJson(upstream), Upstream.class);

    assertThat(fromYaml.getSpec()).isEqualTo(upstream.getSpec());
    assertThat(fromYaml.getStatus()).isEqualTo(upstream.getStatus());
    assertThat(fromJson.getSpec()).isEqualTo(upstream.getSpec());
    assertThat(fromJson.getStatus()).isEqualTo(upstream.getStatus());
    assertThat(fromJson.getMetadata()).isEqualTo(upstream.getMetadata());
  }

  @Test
  void theJsonUsesTheCrdFieldNames() {
    Upstream upstream =
        upstream(
            UpstreamSpec.builder()
                .staticHosts(new StaticHosts(List.of(new StaticHost("10.0.0.7", 8080, null))))
                .build());

    Map<String, Object> spec = specAsMap(upstream);

    assertThat(spec).containsOnlyKeys("static");
    assertThat(spec.get("static"))
        .isEqualTo(Map.of("hosts", List.of(Map.of("address", "10.0.0.7", "port", 8080))));
  }

  @Test
  void absentOptionalFieldsStayAbsent() {
    Upstream read =
        Serialization.unmarshal(
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: checkout-8080
        spec:
          kube:
            serviceName: checkout
            port: 8080
          healthChecks:
          - path: /healthz
        """,
            Upstream.class);

    UpstreamSpec spec = read.getSpec();
    assertThat(spec.kube()).isEqualTo(new KubeService("checkout", null, 8080));
    assertThat(spec.staticHosts()).isNull();
    assertThat(spec.connectTimeout()).isNull();
    assertThat(spec.loadBalancer()).isNull();
    assertThat(spec.circuitBreakers()).isNull();
    assertThat(spec.outlierDetection()).isNull();
    assertThat(spec.healthChecks())
        .containsExactly(new HealthCheck("/healthz", null, null, null, null));
    assertThat(spec.protocol()).isNull();
    assertThat(spec.tls()).isNull();
    assertThat(read.getStatus()).isNull();

    String json = Serialization.asJson(read);
    assertThat(json).doesNotContain("null");
    assertThat(specAsMap(read))
        .isEqualTo(
            Map.of(
                "kube", Map.of("serviceName", "checkout", "port", 8080),
                "healthChecks", List.of(Map.of("path", "/healthz"))));
    assertThat(asMap(read)).doesNotContainKey("status");
  }

  @Test
  void absentListsStayAbsentAndPresentListsAreImmutable() {
    UpstreamSpec withoutHealthChecks =
        UpstreamSpec.builder().kube(new KubeService("checkout", null, 8080)).build();
    UpstreamSpec withHealthChecks =
        UpstreamSpec.builder()
            .kube(new KubeService("checkout", null, 8080))
            .healthChecks(
                new ArrayList<>(List.of(new HealthCheck("/healthz", null, null, null, null))))
            .build();

    assertThat(withoutHealthChecks.healthChecks()).isNull();
    assertThat(withHealthChecks.healthChecks()).isUnmodifiable();
  }

  private static Upstream upstream(UpstreamSpec spec) {
    Upstream upstream = new Upstream();
    upstream.getMetadata().setName("checkout-8080");
    upstream.getMetadata().setNamespace("shop");
    upstream.setSpec(spec);
    return upstream;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> specAsMap(Upstream upstream) {
    return (Map<String, Object>) asMap(upstream).get("spec");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asMap(Upstream upstream) {
    return Serialization.unmarshal(Serialization.asJson(upstream), Map.class);
  }
}
