package dev.fairlead.api.params;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.DeclaredAddress;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.ProxyMode;
import dev.fairlead.api.v1alpha1.ProxyService;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayInfrastructureBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewaySpecAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FleetStatusesTest {

  private static final GatewayClass FAIRLEAD =
      new GatewayClassBuilder()
          .withNewMetadata()
          .withName("fairlead")
          .endMetadata()
          .withNewSpec()
          .withControllerName("fairlead.dev/gateway-controller")
          .endSpec()
          .build();
  private static final GatewayClass OTHER =
      new GatewayClassBuilder()
          .withNewMetadata()
          .withName("other")
          .endMetadata()
          .withNewSpec()
          .withControllerName("example.com/other")
          .endSpec()
          .build();

  @Test
  void aManagedFleetIsReachedAtItsLoadBalancersIngressOnceItsDeploymentIsAvailable() {
    Gateway gateway = gateway("edge", "fairlead");

    FleetStatus pending =
        status(
            true,
            gateway,
            loadBalancer("fairlead-edge", "203.0.113.7", null),
            deployment("fairlead-edge", 0));
    FleetStatus ready =
        status(
            true,
            gateway,
            loadBalancer("fairlead-edge", "203.0.113.7", "lb.example.com"),
            deployment("fairlead-edge", 1));

    assertThat(pending.addresses())
        .containsExactly(new FleetStatus.Address("IPAddress", "203.0.113.7"));
    assertThat(pending.notProgrammed())
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo("Pending");
              assertThat(p.message())
                  .isEqualTo(
                      "the Envoy Deployment shop/fairlead-edge has no available replica yet");
            });
    assertThat(ready.addresses())
        .containsExactly(
            new FleetStatus.Address("IPAddress", "203.0.113.7"),
            new FleetStatus.Address("Hostname", "lb.example.com"));
    assertThat(ready.notProgrammed()).isEmpty();
  }

  @Test
  void aLoadBalancerWithoutIngressHasNoAddressYet() {
    FleetStatus status =
        status(
            true,
            gateway("edge", "fairlead"),
            loadBalancer("fairlead-edge", null, null),
            deployment("fairlead-edge", 2));

    assertThat(status.addresses()).isEmpty();
    assertThat(status.notProgrammed())
        .map(FleetStatus.NotProgrammed::reason)
        .contains("AddressNotAssigned");
  }

  @Test
  void aClusterIpServiceIsReachedAtItsClusterIp() {
    FleetStatus status =
        status(
            true,
            gateway("edge", "fairlead"),
            clusterIp("fairlead-edge", "10.96.0.20"),
            deployment("fairlead-edge", 1));

    assertThat(status.addresses())
        .containsExactly(new FleetStatus.Address("IPAddress", "10.96.0.20"));
    assertThat(status.notProgrammed()).isEmpty();
  }

  @Test
  void oneRequestedIpIsHonouredAndWhatCannotBeIsNamed() {
    Gateway one = withAddresses(gateway("edge", "fairlead"), address("IPAddress", "10.96.0.20"));
    Gateway two =
        withAddresses(
            gateway("edge", "fairlead"),
            address(null, "10.96.0.20"),
            address("IPAddress", "10.96.0.21"));
    Gateway named = withAddresses(gateway("edge", "fairlead"), address("example.com/pool", "blue"));
    Gateway other = withAddresses(gateway("edge", "fairlead"), address("IPAddress", "10.96.0.99"));

    assertThat(FleetStatuses.requestedIp(one, ProxyService.Type.ClusterIP)).contains("10.96.0.20");
    assertThat(FleetStatuses.requestedIp(one, ProxyService.Type.NodePort)).isEmpty();
    assertThat(FleetStatuses.requestedIp(two, ProxyService.Type.ClusterIP)).isEmpty();
    assertThat(
            status(
                    true,
                    one,
                    clusterIp("fairlead-edge", "10.96.0.20"),
                    deployment("fairlead-edge", 1))
                .notProgrammed())
        .isEmpty();
    assertThat(
            status(
                    true,
                    two,
                    clusterIp("fairlead-edge", "10.96.0.20"),
                    deployment("fairlead-edge", 1))
                .notProgrammed())
        .map(FleetStatus.NotProgrammed::reason)
        .contains("AddressNotUsable");
    assertThat(
            status(
                    true,
                    named,
                    clusterIp("fairlead-edge", "10.96.0.20"),
                    deployment("fairlead-edge", 1))
                .notProgrammed())
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo("UnsupportedAddress");
              assertThat(p.message())
                  .startsWith("spec.addresses[0]: type example.com/pool is not supported");
            });
    assertThat(
            status(
                    true,
                    other,
                    clusterIp("fairlead-edge", "10.96.0.20"),
                    deployment("fairlead-edge", 1))
                .notProgrammed())
        .hasValueSatisfying(
            p -> {
              assertThat(p.reason()).isEqualTo("AddressNotUsable");
              assertThat(p.message())
                  .isEqualTo(
                      "spec.addresses: the Service shop/fairlead-edge was given 10.96.0.20, not 10.96.0.99");
            });
  }

  @Test
  void anUnmanagedFleetIsReachedAtTheAddressesItDeclares() {
    GatewayParameters parameters = new GatewayParameters();
    parameters.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("own").build());
    parameters.setSpec(
        new GatewayParametersSpec(
            ProxyMode.Unmanaged,
            null,
            null,
            List.of(
                new DeclaredAddress(DeclaredAddress.Type.Hostname, "edge.example.com"),
                new DeclaredAddress(null, "192.0.2.10"))));
    Gateway gateway = gateway("edge", "fairlead");
    gateway
        .getSpec()
        .setInfrastructure(
            new GatewayInfrastructureBuilder()
                .withNewParametersRef()
                .withGroup("fairlead.dev")
                .withKind("GatewayParameters")
                .withName("own")
                .endParametersRef()
                .build());

    Map<String, FleetStatus> statuses =
        FleetStatuses.of(ClusterState.of(List.of(FAIRLEAD, gateway, parameters)), false);

    assertThat(statuses.get("shop/edge").addresses())
        .containsExactly(
            new FleetStatus.Address("Hostname", "edge.example.com"),
            new FleetStatus.Address("IPAddress", "192.0.2.10"));
    assertThat(statuses.get("shop/edge").notProgrammed()).isEmpty();
  }

  @Test
  void withoutTheProvisionerOrForAnotherControllersGatewayThereIsNothingToSay() {
    assertThat(
            FleetStatuses.of(
                ClusterState.of(List.of(FAIRLEAD, gateway("edge", "fairlead"))), false))
        .isEmpty();
    assertThat(
            FleetStatuses.of(
                ClusterState.of(List.of(FAIRLEAD, OTHER, gateway("theirs", "other"))), true))
        .isEmpty();
  }

  private static FleetStatus status(
      boolean provisioned, Gateway gateway, HasMetadata... infrastructure) {
    List<HasMetadata> objects = new ArrayList<>(List.of(FAIRLEAD, gateway));
    objects.addAll(List.of(infrastructure));
    return Optional.ofNullable(
            FleetStatuses.of(ClusterState.of(objects), provisioned).get("shop/edge"))
        .orElseThrow();
  }

  private static Gateway gateway(String name, String gatewayClass) {
    return new GatewayBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withGatewayClassName(gatewayClass)
        .addNewListener()
        .withName("http")
        .withProtocol("HTTP")
        .withPort(80)
        .endListener()
        .endSpec()
        .build();
  }

  private static Gateway withAddresses(Gateway gateway, GatewaySpecAddress... addresses) {
    gateway.getSpec().setAddresses(List.of(addresses));
    return gateway;
  }

  private static GatewaySpecAddress address(String type, String value) {
    return new GatewaySpecAddress(type, value);
  }

  private static Service loadBalancer(String name, String ip, String hostname) {
    ServiceBuilder builder =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace("shop")
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withType("LoadBalancer")
            .withClusterIP("10.96.0.5")
            .endSpec();
    if (ip != null || hostname != null) {
      builder
          .withNewStatus()
          .withNewLoadBalancer()
          .addNewIngress()
          .withIp(ip)
          .endIngress()
          .endLoadBalancer()
          .endStatus();
      if (hostname != null) {
        builder
            .editStatus()
            .editLoadBalancer()
            .addNewIngress()
            .withHostname(hostname)
            .endIngress()
            .endLoadBalancer()
            .endStatus();
      }
    }
    return builder.build();
  }

  private static Service clusterIp(String name, String ip) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withType("ClusterIP")
        .withClusterIP(ip)
        .endSpec()
        .build();
  }

  private static Deployment deployment(String name, int available) {
    return new DeploymentBuilder()
        .withNewMetadata()
        .withNamespace("shop")
        .withName(name)
        .endMetadata()
        .withNewStatus()
        .withAvailableReplicas(available)
        .endStatus()
        .build();
  }
}
