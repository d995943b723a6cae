package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DesiredUpstreamsTest {

  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @Test
  void onePerTcpPortNamedAfterServiceAndPortNameOrNumber() {
    Service service =
        service(
            "shop",
            "web",
            port("http", 80, null),
            port("grpc", 9090, "grpc"),
            port("dns", 53, null, "UDP"));

    List<DesiredUpstream> desired = DesiredUpstreams.forService(service);

    assertThat(desired).extracting(DesiredUpstream::name).containsExactly("web-http", "web-grpc");
    assertThat(desired.get(0))
        .isEqualTo(new DesiredUpstream("shop", "web-http", "web", "uid-web", 80, null));
    assertThat(desired.get(1))
        .isEqualTo(new DesiredUpstream("shop", "web-grpc", "web", "uid-web", 9090, Protocol.GRPC));
    assertThat(DesiredUpstreams.forService(service("shop", "single", port(null, 8080, null))))
        .extracting(DesiredUpstream::name)
        .containsExactly("single-8080");
  }

  /** A discovered Upstream never refers across namespaces, so it never needs a ReferenceGrant. */
  @Test
  void discoveredUpstreamsSitInTheirServicesNamespaceAndNameNoOther() {
    List<DesiredUpstream> desired =
        DesiredUpstreams.forService(
            service("payments", "ledger", port("http", 80, null), port("grpc", 9090, "grpc")));

    assertThat(desired)
        .hasSize(2)
        .allSatisfy(
            upstream -> {
              assertThat(upstream.namespace()).isEqualTo("payments");
              Upstream applied = upstream.applyConfiguration(null);
              assertThat(applied.getMetadata().getNamespace()).isEqualTo("payments");
              assertThat(applied.getSpec().kube().namespace())
                  .as("spec.kube.namespace (defaults to the Upstream's)")
                  .isNull();
            });
  }

  @Test
  void aServiceWithoutPortsWantsNothing() {
    Service service =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("a")
            .withName("b")
            .withUid("u")
            .endMetadata()
            .build();
    assertThat(DesiredUpstreams.forService(service)).isEmpty();
  }

  @Test
  void protocolFollowsAppProtocol() {
    assertThat(DesiredUpstreams.protocolOf("kubernetes.io/h2c")).isEqualTo(Protocol.HTTP2);
    assertThat(DesiredUpstreams.protocolOf("h2c")).isEqualTo(Protocol.HTTP2);
    assertThat(DesiredUpstreams.protocolOf("grpc")).isEqualTo(Protocol.GRPC);
    assertThat(DesiredUpstreams.protocolOf("http")).isEqualTo(Protocol.HTTP1);
    assertThat(DesiredUpstreams.protocolOf("kubernetes.io/http")).isEqualTo(Protocol.HTTP1);
    assertThat(DesiredUpstreams.protocolOf(null)).isNull();
    assertThat(DesiredUpstreams.protocolOf("kubernetes.io/ws")).isNull();
    assertThat(DesiredUpstreams.protocolOf("https")).isNull();
  }

  @Test
  void shortNamesAreKeptLowerCased() {
    assertThat(DesiredUpstreams.upstreamName("web", "http")).isEqualTo("web-http");
    assertThat(DesiredUpstreams.upstreamName("Web", "HTTP")).isEqualTo("web-http");
    assertThat(DesiredUpstreams.upstreamName("web", "443")).isEqualTo("web-443");
    String exactly63 = "s".repeat(58) + "-http";
    assertThat(exactly63).hasSize(63);
    assertThat(DesiredUpstreams.upstreamName("s".repeat(58), "http")).isEqualTo(exactly63);
  }

  @Test
  void longNamesAreCutAndGetAStableHashOfTheFullName() {
    String service = "a-very-long-service-name-that-goes-on-and-on-until-it-reaches-6";
    assertThat(service).hasSize(63);

    String metrics = DesiredUpstreams.upstreamName(service, "metrics");
    String http = DesiredUpstreams.upstreamName(service, "http");

    assertThat(metrics).hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(metrics).matches(".*-[0-9a-f]{8}");
    assertThat(metrics).isNotEqualTo(http);
    // SHA-256 of the full name, first 8 hex digits: the same in every JVM, replica and release.
    assertThat(metrics).isEqualTo(DesiredUpstreams.upstreamName(service, "metrics"));
    assertThat(metrics).isEqualTo("a-very-long-service-name-that-goes-on-and-on-until-it-228528a9");
  }

  @Test
  void aCutNeverLeavesAHyphenBeforeTheHash() {
    // the 54th character is a hyphen
    String service = "x".repeat(53) + "-yyyyyyyy";
    String name = DesiredUpstreams.upstreamName(service, "http");
    assertThat(name)
        .hasSizeLessThanOrEqualTo(63)
        .doesNotContain("--")
        .startsWith("x".repeat(53) + "-");
  }

  @Test
  void applyConfigurationHoldsOnlyDiscoverysFields() {
    DesiredUpstream desired =
        new DesiredUpstream("shop", "web-http", "web", "uid-web", 80, Protocol.HTTP2);

    Map<String, Object> json = asMap(desired.applyConfiguration("42"));

    assertThat(json).containsOnlyKeys("apiVersion", "kind", "metadata", "spec");
    assertThat(json.get("apiVersion")).isEqualTo("fairlead.dev/v1alpha1");
    assertThat(json.get("kind")).isEqualTo("Upstream");
    assertThat(json.get("spec"))
        .isEqualTo(Map.of("kube", Map.of("serviceName", "web", "port", 80), "protocol", "HTTP2"));
    assertThat(json.get("metadata"))
        .isEqualTo(
            Map.of(
                "namespace", "shop",
                "name", "web-http",
                "resourceVersion", "42",
                "labels",
                    Map.of(
                        "fairlead.dev/discovered-by", "discovery", "fairlead.dev/service", "web"),
                "ownerReferences",
                    List.of(
                        Map.of(
                            "apiVersion",
                            "v1",
                            "kind",
                            "Service",
                            "name",
                            "web",
                            "uid",
                            "uid-web",
                            "controller",
                            false,
                            "blockOwnerDeletion",
                            false))));
    Map<String, Object> withoutProtocol =
        asMap(
            new DesiredUpstream("shop", "web-http", "web", "uid-web", 80, null)
                .applyConfiguration(null));
    assertThat(asMap(withoutProtocol.get("spec"))).containsOnlyKeys("kube");
    assertThat(asMap(withoutProtocol.get("metadata"))).doesNotContainKey("resourceVersion");
  }

  private static Map<String, Object> asMap(Object object) {
    return JSON.unmarshal(JSON.asJson(object), new TypeReference<Map<String, Object>>() {});
  }

  static Service service(String namespace, String name, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withUid("uid-" + name)
        .endMetadata()
        .withNewSpec()
        .withPorts(ports)
        .endSpec()
        .build();
  }

  static ServicePort port(String name, int port, String appProtocol) {
    return port(name, port, appProtocol, "TCP");
  }

  static ServicePort port(String name, int port, String appProtocol, String protocol) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withAppProtocol(appProtocol)
        .withProtocol(protocol)
        .build();
  }
}
