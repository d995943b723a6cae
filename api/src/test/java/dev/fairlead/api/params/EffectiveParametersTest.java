package dev.fairlead.api.params;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.DeclaredAddress;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.ProxyDeployment;
import dev.fairlead.api.v1alpha1.ProxyLogLevel;
import dev.fairlead.api.v1alpha1.ProxyMode;
import dev.fairlead.api.v1alpha1.ProxyService;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EffectiveParametersTest {

  @Test
  void withoutParametersAGatewayIsManagedWithTheDefaults() {
    EffectiveParameters defaults = EffectiveParameters.of(null, null);

    assertThat(defaults).isEqualTo(EffectiveParameters.DEFAULTS);
    assertThat(defaults.managed()).isTrue();
    assertThat(defaults.replicas()).isEqualTo(1);
    assertThat(defaults.image()).isEmpty();
    assertThat(defaults.imagePullPolicy()).isEqualTo(ProxyDeployment.PullPolicy.IfNotPresent);
    assertThat(defaults.resources()).isEmpty();
    assertThat(defaults.logLevel()).isEqualTo(ProxyLogLevel.INFO);
    assertThat(defaults.serviceType()).isEqualTo(ProxyService.Type.LoadBalancer);
    assertThat(defaults.podAnnotations()).isEmpty();
    assertThat(defaults.serviceAnnotations()).isEmpty();
    assertThat(defaults.addresses()).isEmpty();
  }

  @Test
  void theGatewaysFieldsOverrideTheClassesFieldByField() {
    GatewayParametersSpec ofClass =
        new GatewayParametersSpec(
            null,
            new ProxyDeployment(
                3,
                "envoy:class",
                ProxyDeployment.PullPolicy.Always,
                new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity("100m"))
                    .build(),
                Map.of("class", "yes"),
                ProxyLogLevel.DEBUG),
            new ProxyService(ProxyService.Type.NodePort, Map.of("lb", "class")),
            null);
    GatewayParametersSpec ofGateway =
        new GatewayParametersSpec(
            null,
            new ProxyDeployment(5, null, null, null, Map.of("gateway", "yes"), null),
            new ProxyService(null, Map.of()),
            null);

    EffectiveParameters effective = EffectiveParameters.of(ofClass, ofGateway);

    assertThat(effective.replicas()).isEqualTo(5);
    assertThat(effective.image()).contains("envoy:class");
    assertThat(effective.imagePullPolicy()).isEqualTo(ProxyDeployment.PullPolicy.Always);
    assertThat(effective.resources()).contains(ofClass.deployment().resources());
    assertThat(effective.podAnnotations())
        .as("a map is one field: the Gateway's replaces the class's")
        .isEqualTo(Map.of("gateway", "yes"));
    assertThat(effective.logLevel()).isEqualTo(ProxyLogLevel.DEBUG);
    assertThat(effective.serviceType()).isEqualTo(ProxyService.Type.NodePort);
    assertThat(effective.serviceAnnotations())
        .as("an empty map set on the Gateway clears the class's")
        .isEmpty();
  }

  @Test
  void aGatewayWithoutParametersTakesItsClasses() {
    GatewayParametersSpec ofClass =
        new GatewayParametersSpec(
            ProxyMode.Unmanaged,
            null,
            null,
            List.of(new DeclaredAddress(DeclaredAddress.Type.IPAddress, "10.0.0.7")));

    EffectiveParameters effective = EffectiveParameters.of(ofClass, null);

    assertThat(effective.managed()).isFalse();
    assertThat(effective.addresses())
        .containsExactly(new DeclaredAddress(DeclaredAddress.Type.IPAddress, "10.0.0.7"));
  }

  @Test
  void aGatewayCanTurnItsFleetUnmanagedWhileTheClassIsManaged() {
    GatewayParametersSpec ofClass =
        new GatewayParametersSpec(
            ProxyMode.Managed, new ProxyDeployment(2, null, null, null, null, null), null, null);
    GatewayParametersSpec ofGateway =
        new GatewayParametersSpec(
            ProxyMode.Unmanaged,
            null,
            null,
            List.of(new DeclaredAddress(DeclaredAddress.Type.Hostname, "edge.example.com")));

    EffectiveParameters effective = EffectiveParameters.of(ofClass, ofGateway);

    assertThat(effective.mode()).isEqualTo(ProxyMode.Unmanaged);
    assertThat(effective.addresses())
        .extracting(DeclaredAddress::value)
        .containsExactly("edge.example.com");
  }
}
