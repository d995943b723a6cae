package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.app.AllocatorOptions;
import dev.fairlead.app.KubernetesFairlead;
import dev.fairlead.app.KubernetesOptions;
import dev.fairlead.provisioner.ProvisionerOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.tls.ServerTransport;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fairlead in Kubernetes mode with the provisioner on, against a real kube-apiserver: a managed
 * Gateway's {@code Programmed} waits for its Envoy Deployment to have an available replica, and its
 * {@code status.addresses} come from its Service's load-balancer ingress; an unmanaged Gateway gets
 * the addresses its parameters declare and no objects. There is no kube-controller-manager and no
 * load-balancer controller here, so the test writes the Deployment's and the Service's status
 * itself, as those controllers would.
 */
class ManagedGatewayRealApiServerIT {

  private static final Duration BOUND = Duration.ofSeconds(60);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static KubernetesClient client;
  private static KubernetesFairlead fairlead;
  private static String ns;

  @BeforeAll
  static void startFairlead() {
    E2eObjects.installCrds(API_SERVER);
    ns = API_SERVER.createNamespace("managed");
    client = API_SERVER.newClient();
    fairlead =
        KubernetesFairlead.start(
            new KubernetesOptions(
                    "127.0.0.1",
                    0,
                    ServerTransport.plaintext(),
                    "127.0.0.1",
                    Set.of(),
                    Map.of(),
                    Map.of(),
                    false,
                    new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)),
                    AllocatorOptions.loopback(AllocatorSecurity.plaintext()))
                .withProvisioner(
                    Optional.of(
                        new ProvisionerOptions(
                            ProvisionerOptions.DEFAULT_IMAGE,
                            "fairlead-xds.fairlead-system.svc",
                            18000))),
            client,
            new SimpleMeterRegistry());
  }

  @AfterAll
  static void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void aManagedGatewayIsProgrammedOnceItsEnvoysAreAvailableAndTakesItsServicesAddress() {
    API_SERVER.apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: %s}
        spec:
          gatewayClassName: fairlead
          listeners:
          - {name: http, protocol: HTTP, port: 80}
        """
            .formatted(ns));

    await("the provisioner made the Deployment and the Service")
        .atMost(BOUND)
        .until(() -> deployment() != null && service() != null);
    await("Programmed=False while no Envoy is available")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(programmed("edge"))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("False");
                          assertThat(c.getReason()).isEqualTo("Pending");
                          assertThat(c.getMessage())
                              .isEqualTo(
                                  "the Envoy Deployment "
                                      + ns
                                      + "/fairlead-edge has no available replica yet");
                        }));

    Deployment deployment = deployment();
    deployment.setStatus(
        new DeploymentStatusBuilder()
            .withReplicas(1)
            .withReadyReplicas(1)
            .withAvailableReplicas(1)
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .build());
    client.resource(deployment).updateStatus();
    await("Programmed=False while the load balancer has no address")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(programmed("edge"))
                    .map(Condition::getReason)
                    .contains("AddressNotAssigned"));

    Service service = service();
    service.setStatus(
        new ServiceStatusBuilder()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp("203.0.113.7")
            .endIngress()
            .endLoadBalancer()
            .build());
    client.resource(service).updateStatus();

    await("the ingress address in status, Programmed=True")
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              Gateway gateway =
                  client.resources(Gateway.class).inNamespace(ns).withName("edge").get();
              assertThat(gateway.getStatus().getAddresses())
                  .extracting(GatewayStatusAddress::getType, GatewayStatusAddress::getValue)
                  .containsExactly(tuple("IPAddress", "203.0.113.7"));
              assertThat(programmed("edge")).map(Condition::getStatus).contains("True");
            });
  }

  @Test
  void anUnmanagedGatewayTakesTheAddressesItsParametersDeclareAndGetsNoObjects() {
    API_SERVER.apply(
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: GatewayParameters
        metadata: {name: own-envoys, namespace: %s}
        spec:
          mode: Unmanaged
          addresses: [{type: Hostname, value: edge.example.com}]
        """
            .formatted(ns));
    API_SERVER.apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: own, namespace: %s}
        spec:
          gatewayClassName: fairlead
          infrastructure:
            parametersRef: {group: fairlead.dev, kind: GatewayParameters, name: own-envoys}
          listeners:
          - {name: http, protocol: HTTP, port: 8080}
        """
            .formatted(ns));

    await("the declared address in status, Programmed=True")
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              Gateway gateway =
                  client.resources(Gateway.class).inNamespace(ns).withName("own").get();
              assertThat(gateway.getStatus().getAddresses())
                  .extracting(GatewayStatusAddress::getValue)
                  .containsExactly("edge.example.com");
              assertThat(programmed("own")).map(Condition::getStatus).contains("True");
            });
    assertThat(client.apps().deployments().inNamespace(ns).withName("fairlead-own").get()).isNull();
  }

  private static Deployment deployment() {
    return client.apps().deployments().inNamespace(ns).withName("fairlead-edge").get();
  }

  private static Service service() {
    return client.services().inNamespace(ns).withName("fairlead-edge").get();
  }

  private static Optional<Condition> programmed(String gateway) {
    Gateway found = client.resources(Gateway.class).inNamespace(ns).withName(gateway).get();
    if (found == null || found.getStatus() == null || found.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return found.getStatus().getConditions().stream()
        .filter(c -> "Programmed".equals(c.getType()))
        .findFirst();
  }
}
