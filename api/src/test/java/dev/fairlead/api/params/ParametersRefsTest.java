package dev.fairlead.api.params;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.ProxyDeployment;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParametersRefsTest {

  private static final GatewayParameters THREE_REPLICAS = parameters("infra", "three", 3);
  private static final GatewayParameters FIVE_REPLICAS = parameters("apps", "five", 5);
  private final ParametersRefs refs = new ParametersRefs(List.of(THREE_REPLICAS, FIVE_REPLICAS));

  @Test
  void aClassWithoutParametersRefHasNoSpecAndNoProblem() {
    ParametersRefs.Lookup lookup =
        refs.ofClass(gatewayClass("fairlead.dev", "GatewayParameters", "infra", null));

    assertThat(lookup.spec()).isEmpty();
    assertThat(lookup.problem()).isEmpty();
  }

  @Test
  void aClassRefToExistingParametersResolves() {
    ParametersRefs.Lookup lookup =
        refs.ofClass(gatewayClass("fairlead.dev", "GatewayParameters", "infra", "three"));

    assertThat(lookup.problem()).isEmpty();
    assertThat(lookup.spec()).contains(THREE_REPLICAS.getSpec());
  }

  @Test
  void aClassRefThatDoesNotHoldNamesTheField() {
    assertThat(
            refs.ofClass(gatewayClass("fairlead.dev", "GatewayParameters", "infra", "missing"))
                .problem())
        .contains("spec.parametersRef: GatewayParameters infra/missing not found");
    assertThat(refs.ofClass(gatewayClass("", "ConfigMap", "infra", "three")).problem())
        .contains(
            "spec.parametersRef: ConfigMap is not a parameters kind Fairlead supports; use group fairlead.dev, "
                + "kind GatewayParameters");
    assertThat(
            refs.ofClass(gatewayClass("fairlead.dev", "GatewayParameters", null, "three"))
                .problem())
        .contains("spec.parametersRef.namespace: required, GatewayParameters are namespaced");
  }

  @Test
  void aGatewayRefLooksInTheGatewaysNamespaceAndOverridesItsClass() {
    GatewayClass gatewayClass = gatewayClass("fairlead.dev", "GatewayParameters", "infra", "three");

    ParametersRefs.Resolution own =
        refs.resolve(gatewayClass, gateway("apps", "fairlead.dev", "GatewayParameters", "five"));
    ParametersRefs.Resolution classOnly =
        refs.resolve(gatewayClass, gateway("apps", null, null, null));

    assertThat(own.parameters()).hasValueSatisfying(p -> assertThat(p.replicas()).isEqualTo(5));
    assertThat(classOnly.parameters())
        .hasValueSatisfying(p -> assertThat(p.replicas()).isEqualTo(3));
  }

  @Test
  void aGatewayRefToAnotherNamespacesParametersDoesNotHold() {
    ParametersRefs.Resolution resolution =
        refs.resolve(null, gateway("apps", "fairlead.dev", "GatewayParameters", "three"));

    assertThat(resolution.parameters()).isEmpty();
    assertThat(resolution.problem())
        .contains("spec.infrastructure.parametersRef: GatewayParameters apps/three not found");
  }

  @Test
  void aGatewayRefOfAnotherKindDoesNotHold() {
    assertThat(
            refs.ofGateway(gateway("apps", "example.com", "GatewayParameters", "five")).problem())
        .contains(
            "spec.infrastructure.parametersRef: example.com/GatewayParameters is not a parameters kind "
                + "Fairlead supports; use group fairlead.dev, kind GatewayParameters");
  }

  private static GatewayParameters parameters(String namespace, String name, int replicas) {
    GatewayParameters parameters = new GatewayParameters();
    parameters.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    parameters.setSpec(
        new GatewayParametersSpec(
            null, new ProxyDeployment(replicas, null, null, null, null, null), null, null));
    return parameters;
  }

  private static GatewayClass gatewayClass(
      String group, String kind, String namespace, String name) {
    GatewayClassBuilder builder =
        new GatewayClassBuilder()
            .withNewMetadata()
            .withName("fairlead")
            .endMetadata()
            .withNewSpec()
            .withControllerName("fairlead.dev/gateway-controller")
            .endSpec();
    if (name != null) {
      builder
          .editSpec()
          .withNewParametersRef()
          .withGroup(group)
          .withKind(kind)
          .withNamespace(namespace)
          .withName(name)
          .endParametersRef()
          .endSpec();
    }
    return builder.build();
  }

  private static Gateway gateway(String namespace, String group, String kind, String name) {
    GatewayBuilder builder =
        new GatewayBuilder()
            .withNewMetadata()
            .withNamespace(namespace)
            .withName("edge")
            .endMetadata()
            .withNewSpec()
            .withGatewayClassName("fairlead")
            .endSpec();
    if (name != null) {
      builder
          .editSpec()
          .withNewInfrastructure()
          .withNewParametersRef()
          .withGroup(group)
          .withKind(kind)
          .withName(name)
          .endParametersRef()
          .endInfrastructure()
          .endSpec();
    }
    return builder.build();
  }
}
