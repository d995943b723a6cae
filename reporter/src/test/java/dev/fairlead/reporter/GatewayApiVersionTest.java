package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Which Gateway API bundle versions Fairlead supports, and what the condition says when one is not.
 */
class GatewayApiVersionTest {

  @Test
  void versionsFromOneZeroToOneSixAreSupported() {
    for (String version : new String[] {"v1.0.0", "v1.3.0", "v1.4.1", "v1.5.1", "v1.6.0"}) {
      assertThat(
              GatewayApiVersion.of(Map.of("gateways.gateway.networking.k8s.io", version))
                  .supported())
          .as(version)
          .isTrue();
    }
    GatewayApiVersion current =
        GatewayApiVersion.of(
            Map.of(
                "gatewayclasses.gateway.networking.k8s.io",
                "v1.6.3",
                "gateways.gateway.networking.k8s.io",
                "v1.6.3"));
    assertThat(current.supported()).isTrue();
    assertThat(current.message()).isEqualTo("Gateway API CRDs at v1.6.3, supported (v1.0 to v1.6)");
  }

  @Test
  void aNewerVersionAMissingAnnotationOrAnUnreadableCrdIsNotSupportedAndNamed() {
    Map<String, String> versions = new LinkedHashMap<>();
    versions.put("gatewayclasses.gateway.networking.k8s.io", "v1.7.0");
    versions.put("gateways.gateway.networking.k8s.io", null);
    versions.put("httproutes.gateway.networking.k8s.io", "cannot be read (403)");

    GatewayApiVersion version = GatewayApiVersion.of(versions);

    assertThat(version.supported()).isFalse();
    assertThat(version.message())
        .isEqualTo(
            "gatewayclasses.gateway.networking.k8s.io is at v1.7.0; "
                + "gateways.gateway.networking.k8s.io has no gateway.networking.k8s.io/bundle-version annotation; "
                + "httproutes.gateway.networking.k8s.io cannot be read (403); "
                + "Fairlead supports Gateway API v1.0 to v1.6 and serves its classes on a best-effort basis");
  }
}
