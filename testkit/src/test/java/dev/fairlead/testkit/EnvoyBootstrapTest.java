package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EnvoyBootstrapTest {

  @Test
  void deltaBootstrapNamesTheNodeTheFleetAndTheControlPlaneOnLoopback() {
    String yaml = EnvoyBootstrap.ads(18000, AdsMode.DELTA).withNode("edge-1", "edge").toYaml();

    assertThat(yaml)
        .contains("id: edge-1", "cluster: edge", "api_type: DELTA_GRPC", "port_value: 18000")
        .contains("address: 127.0.0.1, port_value: 0")
        .doesNotContain("0.0.0.0");
  }

  @Test
  void stateOfTheWorldUsesGrpcApiType() {
    assertThat(EnvoyBootstrap.ads(18000, AdsMode.SOTW).toYaml()).contains("api_type: GRPC");
  }

  @Test
  void xdsOverMutualTlsTrustsTheCaChecksTheControlPlaneIpAndPresentsTheCertificate() {
    String yaml =
        EnvoyBootstrap.ads(18000, AdsMode.DELTA)
            .withXdsTls(
                Path.of("/tls/ca.crt"), Path.of("/tls/envoy.crt"), Path.of("/tls/envoy.key"))
            .toYaml();

    assertThat(yaml)
        .contains("name: envoy.transport_sockets.tls", "alpn_protocols: [h2]")
        .contains(
            "trusted_ca: { filename: \"/tls/ca.crt\" }",
            "san_type: IP_ADDRESS",
            "matcher: { exact: \"127.0.0.1\" }")
        .contains("certificate_chain: { filename: \"/tls/envoy.crt\" }")
        .contains("private_key: { filename: \"/tls/envoy.key\" }");
    assertThat(EnvoyBootstrap.ads(18000, AdsMode.DELTA).withXdsTls(Path.of("/tls/ca.crt")).toYaml())
        .contains("trusted_ca")
        .doesNotContain("certificate_chain");
    assertThat(EnvoyBootstrap.ads(18000, AdsMode.DELTA).toYaml())
        .doesNotContain("transport_socket");
  }

  @Test
  void standbyPortsAreMoreEndpointsOfTheAdsCluster() throws Exception {
    String yaml =
        EnvoyBootstrap.ads(18000, AdsMode.DELTA)
            .withStandbyXdsPorts(java.util.List.of(18001, 18002))
            .withNode("edge-1", "edge")
            .toYaml();

    com.fasterxml.jackson.databind.JsonNode endpoints =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(yaml)
            .path("static_resources")
            .path("clusters")
            .get(0)
            .path("load_assignment")
            .path("endpoints")
            .get(0)
            .path("lb_endpoints");
    assertThat(endpoints).hasSize(3);
    assertThat(
            endpoints
                .get(2)
                .path("endpoint")
                .path("address")
                .path("socket_address")
                .path("port_value")
                .asInt())
        .isEqualTo(18002);
  }

  @Test
  void aPodsBootstrapResolvesTheControlPlaneServiceByDnsAndServesAdminOnEveryAddress()
      throws Exception {
    String yaml =
        EnvoyBootstrap.ads(18000, AdsMode.DELTA)
            .withNode("edge-1", "shop/edge")
            .toPodYaml("fairlead-xds.fairlead-system.svc.cluster.local", 9901);

    com.fasterxml.jackson.databind.JsonNode bootstrap =
        new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
            .readTree(yaml);
    com.fasterxml.jackson.databind.JsonNode ads =
        bootstrap.path("static_resources").path("clusters").get(0);
    assertThat(ads.path("type").asText()).isEqualTo("STRICT_DNS");
    assertThat(
            ads.path("load_assignment")
                .path("endpoints")
                .get(0)
                .path("lb_endpoints")
                .get(0)
                .path("endpoint")
                .path("address")
                .path("socket_address")
                .toString())
        .isEqualTo(
            "{\"address\":\"fairlead-xds.fairlead-system.svc.cluster.local\",\"port_value\":18000}");
    assertThat(bootstrap.path("admin").path("address").path("socket_address").toString())
        .isEqualTo("{\"address\":\"0.0.0.0\",\"port_value\":9901}");
    assertThat(bootstrap.path("node").path("cluster").asText()).isEqualTo("shop/edge");
  }

  @Test
  void aPodsBootstrapHasNoStandbyPortsAndOverTlsChecksTheServicesName() {
    assertThatThrownBy(
            () ->
                EnvoyBootstrap.ads(18000, AdsMode.DELTA)
                    .withStandbyXdsPorts(java.util.List.of(18001))
                    .toPodYaml("fairlead-xds", 9901))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one Service");
    String yaml =
        EnvoyBootstrap.ads(18000, AdsMode.DELTA)
            .withXdsTls(Path.of("/tls/ca.crt"))
            .toPodYaml("fairlead-xds.fairlead-system.svc", 9901);
    assertThat(yaml)
        .contains("sni: \"fairlead-xds.fairlead-system.svc\"")
        .contains("san_type: DNS", "matcher: { exact: \"fairlead-xds.fairlead-system.svc\" }")
        .contains("trusted_ca: { filename: \"/tls/ca.crt\" }");
  }

  @Test
  void rejectsPortsOutOfRange() {
    assertThatThrownBy(() -> EnvoyBootstrap.ads(0, AdsMode.SOTW))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("xdsPort");
  }
}
