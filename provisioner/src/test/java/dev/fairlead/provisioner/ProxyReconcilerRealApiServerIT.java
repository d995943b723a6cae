package dev.fairlead.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.api.params.ProxyNames;
import dev.fairlead.api.v1alpha1.DeclaredAddress;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.GatewayParametersSpec;
import dev.fairlead.api.v1alpha1.ProxyDeployment;
import dev.fairlead.api.v1alpha1.ProxyMode;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayInfrastructureBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The provisioner against a real kube-apiserver: a managed Gateway's four objects with owner
 * references and the provisioner's field manager (five with Fairlead's xDS CA: each fleet's own
 * client certificate, kept until it is no longer good), hand edits put back, parameters reaching
 * the Deployment, and the objects deleted when the Gateway goes, turns Unmanaged or is of another
 * controller's class. There is no kube-controller-manager, hence no garbage collector (and no
 * pods): every delete seen here is the provisioner's own.
 */
class ProxyReconcilerRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final ProvisionerOptions OPTIONS =
      new ProvisionerOptions(
          ProvisionerOptions.DEFAULT_IMAGE, "fairlead-xds.fairlead-system.svc", 18000);

  private KubernetesClient user;
  private KubernetesClient provisionerClient;
  private ProxyReconciler reconciler;
  private String ns;

  @BeforeAll
  static void installCrds() throws IOException {
    try (InputStream crd =
        ProxyReconcilerRealApiServerIT.class.getResourceAsStream(
            "/META-INF/fabric8/gatewayparameters.fairlead.dev-v1.yml")) {
      Crds.apply(API_SERVER.client(), crd);
    }
    API_SERVER.installGatewayApiCrds();
    KubernetesClient client = API_SERVER.client();
    client
        .resource(
            new GatewayClassBuilder()
                .withNewMetadata()
                .withName("fairlead")
                .endMetadata()
                .withNewSpec()
                .withControllerName("fairlead.dev/gateway-controller")
                .endSpec()
                .build())
        .serverSideApply();
    client
        .resource(
            new GatewayClassBuilder()
                .withNewMetadata()
                .withName("other")
                .endMetadata()
                .withNewSpec()
                .withControllerName("example.com/other")
                .endSpec()
                .build())
        .serverSideApply();
  }

  @BeforeEach
  void startProvisioner() {
    user = API_SERVER.client();
    provisionerClient = API_SERVER.newClient();
    ns = API_SERVER.createNamespace("provisioner-" + NAMESPACES.incrementAndGet());
    reconciler =
        new ProxyReconciler(
            provisionerClient,
            Set.of(ns),
            OPTIONS,
            new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)));
    reconciler.start();
    await().atMost(WAIT).until(reconciler::hasSynced);
  }

  @AfterEach
  void stopProvisioner() {
    reconciler.close();
    provisionerClient.close();
  }

  @Test
  void aManagedGatewayGetsItsObjectsOwnedByIt() {
    Gateway gateway = user.resource(gateway("edge", "fairlead", 80, 8080)).create();

    await().atMost(WAIT).until(() -> fleet("edge").size() == 4);
    for (HasMetadata object : fleet("edge")) {
      assertThat(object.getMetadata().getName()).isEqualTo("fairlead-edge");
      assertThat(object.getMetadata().getLabels())
          .containsEntry(ProxyNames.MANAGED_BY, ProxyNames.PROVISIONER);
      assertThat(object.getMetadata().getOwnerReferences())
          .singleElement()
          .satisfies(
              owner -> {
                assertThat(owner.getKind()).isEqualTo("Gateway");
                assertThat(owner.getName()).isEqualTo("edge");
                assertThat(owner.getUid()).isEqualTo(gateway.getMetadata().getUid());
                assertThat(owner.getController()).isTrue();
              });
      assertThat(object.getMetadata().getManagedFields())
          .as("managers of %s", object.getKind())
          .anySatisfy(
              fields -> {
                assertThat(fields.getManager()).isEqualTo(ProxyReconciler.FIELD_MANAGER);
                assertThat(fields.getOperation()).isEqualTo("Apply");
              });
    }
    Service service = user.services().inNamespace(ns).withName("fairlead-edge").get();
    assertThat(service.getSpec().getType()).isEqualTo("LoadBalancer");
    assertThat(service.getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(80, 8080);
    assertThat(service.getSpec().getClusterIP())
        .as("allocated by the API server, left to it")
        .isNotBlank();
    Deployment deployment =
        user.apps().deployments().inNamespace(ns).withName("fairlead-edge").get();
    assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
        .isEqualTo(ProvisionerOptions.DEFAULT_IMAGE);
  }

  @Test
  void handEditsOfManagedFieldsArePutBack() {
    user.resource(gateway("edge", "fairlead", 8080)).create();
    await().atMost(WAIT).until(() -> fleet("edge").size() == 4);

    user.apps()
        .deployments()
        .inNamespace(ns)
        .withName("fairlead-edge")
        .edit(
            d -> {
              d.getSpec().setReplicas(7);
              return d;
            });
    user.configMaps()
        .inNamespace(ns)
        .withName("fairlead-edge")
        .edit(
            c -> {
              c.getData().put(ManagedProxy.BOOTSTRAP_KEY, "node: {cluster: elsewhere}");
              return c;
            });

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(
                      user.apps()
                          .deployments()
                          .inNamespace(ns)
                          .withName("fairlead-edge")
                          .get()
                          .getSpec()
                          .getReplicas())
                  .isEqualTo(1);
              assertThat(
                      user.configMaps()
                          .inNamespace(ns)
                          .withName("fairlead-edge")
                          .get()
                          .getData()
                          .get(ManagedProxy.BOOTSTRAP_KEY))
                  .contains("cluster: \"" + ns + "/edge\"");
            });
  }

  @Test
  void withTheCaEachFleetGetsItsOwnClientCertificateKeptUntilItIsNoLongerGood() {
    ProxyCertificateAuthority ca = ProxyCertificateAuthority.create(Instant.now());
    reconciler.close();
    reconciler =
        new ProxyReconciler(
            provisionerClient,
            Set.of(ns),
            OPTIONS.withCa(ca),
            new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)));
    reconciler.start();
    user.resource(gateway("edge", "fairlead", 8080)).create();
    user.resource(gateway("api", "fairlead", 8080)).create();

    await().atMost(WAIT).until(() -> fleet("edge").size() == 5 && fleet("api").size() == 5);
    Secret edge = user.secrets().inNamespace(ns).withName("fairlead-edge").get();
    assertThat(
            ClientCertificateSecret.reusable(
                edge, new ProxyIdentity(ns, "edge"), ca, Instant.now()))
        .isTrue();
    assertThat(
            ClientCertificateSecret.reusable(
                user.secrets().inNamespace(ns).withName("fairlead-api").get(),
                new ProxyIdentity(ns, "api"),
                ca,
                Instant.now()))
        .isTrue();
    assertThat(edge.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("edge"));
    String serial = ClientCertificateSecret.serial(edge);
    assertThat(podAnnotation("edge")).isEqualTo(serial);

    // Another reconcile of the Gateway (a hand edit put back) keeps the certificate.
    user.apps()
        .deployments()
        .inNamespace(ns)
        .withName("fairlead-edge")
        .edit(
            d -> {
              d.getSpec().setReplicas(7);
              return d;
            });
    await().atMost(WAIT).until(() -> replicas("edge") == 1);
    assertThat(
            ClientCertificateSecret.serial(
                user.secrets().inNamespace(ns).withName("fairlead-edge").get()))
        .isEqualTo(serial);
    // Idle first: a reconcile still applying what it read before the edit below would put the
    // kept certificate back, which is right too, but not the reissue this step is about.
    await()
        .atMost(WAIT)
        .during(Duration.ofMillis(500))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> reconciler.pending() == 0);

    // A hand edit of the certificate: a new one is issued and the pods roll onto it.
    user.secrets()
        .inNamespace(ns)
        .withName("fairlead-edge")
        .edit(
            secret -> {
              secret
                  .getData()
                  .put(
                      ClientCertificateSecret.CERTIFICATE_KEY,
                      user.secrets()
                          .inNamespace(ns)
                          .withName("fairlead-api")
                          .get()
                          .getData()
                          .get(ClientCertificateSecret.CERTIFICATE_KEY));
              return secret;
            });
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Secret reissued = user.secrets().inNamespace(ns).withName("fairlead-edge").get();
              assertThat(
                      ClientCertificateSecret.reusable(
                          reissued, new ProxyIdentity(ns, "edge"), ca, Instant.now()))
                  .isTrue();
              assertThat(ClientCertificateSecret.serial(reissued)).isNotEqualTo(serial);
              assertThat(podAnnotation("edge")).isEqualTo(ClientCertificateSecret.serial(reissued));
            });

    // The Gateway goes: so does its certificate.
    user.resources(Gateway.class).inNamespace(ns).withName("edge").delete();
    await().atMost(WAIT).until(() -> fleet("edge").isEmpty());
  }

  @Test
  void deletingTheGatewayDeletesItsObjects() {
    Gateway gateway = user.resource(gateway("edge", "fairlead", 8080)).create();
    await().atMost(WAIT).until(() -> fleet("edge").size() == 4);

    user.resource(gateway).delete();

    await().atMost(WAIT).until(() -> fleet("edge").isEmpty());
  }

  @Test
  void aGatewayOfAnotherControllersClassGetsNothing() {
    user.resource(gateway("theirs", "other", 8080)).create();
    Gateway moved = user.resource(gateway("moved", "fairlead", 8080)).create();
    // The work on both Gateways is queued together: once the later one's fleet is there, the other
    // was decided.
    await().atMost(WAIT).until(() -> fleet("moved").size() == 4);
    assertThat(fleet("theirs")).isEmpty();

    // A Gateway moving to another controller's class loses its fleet.
    moved.getSpec().setGatewayClassName("other");
    user.resource(moved).update();

    await().atMost(WAIT).until(() -> fleet("moved").isEmpty());
  }

  @Test
  void parametersSetReplicasAndUnmanagedRemovesTheFleet() {
    user.resource(
            parameters(
                "edge-params",
                new GatewayParametersSpec(
                    null, new ProxyDeployment(2, null, null, null, null, null), null, null)))
        .create();
    Gateway gateway = gateway("edge", "fairlead", 8080);
    gateway
        .getSpec()
        .setInfrastructure(
            new GatewayInfrastructureBuilder()
                .withNewParametersRef()
                .withGroup("fairlead.dev")
                .withKind("GatewayParameters")
                .withName("edge-params")
                .endParametersRef()
                .build());
    user.resource(gateway).create();
    await().atMost(WAIT).until(() -> replicas("edge") == 2);

    editParameters(
        "edge-params",
        new GatewayParametersSpec(
            null, new ProxyDeployment(3, null, null, null, null, null), null, null));
    await().atMost(WAIT).until(() -> replicas("edge") == 3);

    editParameters(
        "edge-params",
        new GatewayParametersSpec(
            ProxyMode.Unmanaged,
            null,
            null,
            List.of(new DeclaredAddress(DeclaredAddress.Type.IPAddress, "192.0.2.10"))));
    await().atMost(WAIT).until(() -> fleet("edge").isEmpty());
  }

  @Test
  void theApiServerRefusesParametersThatMixModes() {
    GatewayParametersSpec managedWithAddresses =
        new GatewayParametersSpec(
            ProxyMode.Managed,
            null,
            null,
            List.of(new DeclaredAddress(DeclaredAddress.Type.IPAddress, "192.0.2.10")));
    GatewayParametersSpec unmanagedWithDeployment =
        new GatewayParametersSpec(
            ProxyMode.Unmanaged, new ProxyDeployment(2, null, null, null, null, null), null, null);

    assertThatThrownBy(() -> user.resource(parameters("a", managedWithAddresses)).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.addresses is for mode Unmanaged only");
    assertThatThrownBy(() -> user.resource(parameters("b", unmanagedWithDeployment)).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("spec.deployment and spec.service apply to mode Managed only");
  }

  private Gateway gateway(String name, String gatewayClass, int... ports) {
    GatewayBuilder builder =
        new GatewayBuilder()
            .withNewMetadata()
            .withNamespace(ns)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .withGatewayClassName(gatewayClass)
            .endSpec();
    for (int port : ports) {
      builder
          .editSpec()
          .addNewListener()
          .withName("http-" + port)
          .withProtocol("HTTP")
          .withPort(port)
          .endListener()
          .endSpec();
    }
    return builder.build();
  }

  private GatewayParameters parameters(String name, GatewayParametersSpec spec) {
    GatewayParameters parameters = new GatewayParameters();
    parameters.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    parameters.setSpec(spec);
    return parameters;
  }

  private void editParameters(String name, GatewayParametersSpec spec) {
    user.resources(GatewayParameters.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            p -> {
              p.setSpec(spec);
              return p;
            });
  }

  /** The objects of {@code gateway}'s fleet that exist. */
  private List<HasMetadata> fleet(String gateway) {
    String name = ProxyNames.of(gateway);
    return Stream.<HasMetadata>of(
            user.serviceAccounts().inNamespace(ns).withName(name).get(),
            user.configMaps().inNamespace(ns).withName(name).get(),
            user.apps().deployments().inNamespace(ns).withName(name).get(),
            user.services().inNamespace(ns).withName(name).get(),
            user.secrets().inNamespace(ns).withName(name).get())
        .filter(Objects::nonNull)
        .toList();
  }

  private String podAnnotation(String gateway) {
    return user.apps()
        .deployments()
        .inNamespace(ns)
        .withName(ProxyNames.of(gateway))
        .get()
        .getSpec()
        .getTemplate()
        .getMetadata()
        .getAnnotations()
        .get(ManagedProxy.CLIENT_CERTIFICATE_ANNOTATION);
  }

  private int replicas(String gateway) {
    Deployment deployment =
        user.apps().deployments().inNamespace(ns).withName(ProxyNames.of(gateway)).get();
    return deployment == null ? -1 : deployment.getSpec().getReplicas();
  }
}
