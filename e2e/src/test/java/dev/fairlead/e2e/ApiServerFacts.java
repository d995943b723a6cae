package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.Kubectl;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.InputStream;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API-server behaviour Fairlead is built on, checked against a real cluster: CRDs and kubectl
 * work, a recreated object has a new UID, a stale update answers 409, and a JSON Patch whose {@code
 * test} op on {@code /metadata/resourceVersion} fails answers 422 (which fabric8's {@code
 * isConflict} does not call a conflict). The reporter and the allocator rely on each of these.
 *
 * <p>Subclasses supply the cluster: the provisioned kube-apiserver, or K3s where Docker runs.
 */
abstract class ApiServerFacts {

  private static final ResourceDefinitionContext PROBES =
      new ResourceDefinitionContext.Builder()
          .withGroup("smoke.fairlead.dev")
          .withVersion("v1")
          .withKind("Probe")
          .withPlural("probes")
          .withNamespaced(true)
          .build();

  protected abstract KubernetesClient client();

  protected abstract Kubectl kubectl();

  private String namespace;

  @BeforeEach
  void installProbeCrdAndNamespace() throws Exception {
    try (InputStream crd = ApiServerFacts.class.getResourceAsStream("/crds/probe.yaml")) {
      Crds.apply(client(), crd);
    }
    namespace = "facts-" + UUID.randomUUID().toString().substring(0, 8);
    client()
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
  }

  @Test
  void customResourceCreatedThroughTheApiReadsBackThroughKubectl() {
    GenericKubernetesResource created =
        probes().resource(probe("hello", "written by fabric8")).create();

    String message =
        kubectl()
            .run(
                "get",
                "probes.smoke.fairlead.dev",
                "hello",
                "-n",
                namespace,
                "-o",
                "jsonpath={.spec.message}")
            .requireSuccess()
            .stdout();
    String uid =
        kubectl()
            .run("get", "probe", "hello", "-n", namespace, "-o", "jsonpath={.metadata.uid}")
            .requireSuccess()
            .stdout();

    assertThat(message).isEqualTo("written by fabric8");
    assertThat(uid).isEqualTo(created.getMetadata().getUid());
  }

  @Test
  void gatewayApiCrdsFromTheGoModuleAreServed() {
    Crds.installGatewayApi(client());
    client()
        .genericKubernetesResources("gateway.networking.k8s.io/v1", "GatewayClass")
        .resource(
            new GenericKubernetesResourceBuilder()
                .withApiVersion("gateway.networking.k8s.io/v1")
                .withKind("GatewayClass")
                .withNewMetadata()
                .withName("fairlead-" + namespace)
                .endMetadata()
                .withAdditionalProperties(
                    Map.of("spec", Map.of("controllerName", "fairlead.dev/gateway-controller")))
                .build())
        .create();

    String resources =
        kubectl()
            .run("api-resources", "--api-group=gateway.networking.k8s.io", "-o", "name")
            .requireSuccess()
            .stdout();
    String controller =
        kubectl()
            .run(
                "get",
                "gatewayclass",
                "fairlead-" + namespace,
                "-o",
                "jsonpath={.spec.controllerName}")
            .requireSuccess()
            .stdout();

    assertThat(resources)
        .contains(
            "gateways.gateway.networking.k8s.io",
            "httproutes.gateway.networking.k8s.io",
            "referencegrants.gateway.networking.k8s.io");
    assertThat(controller).isEqualTo("fairlead.dev/gateway-controller");
  }

  @Test
  void objectDeletedAndRecreatedWithTheSameNameHasANewUid() {
    String first = probes().resource(probe("again", "one")).create().getMetadata().getUid();
    probes().withName("again").delete();
    probes().withName("again").waitUntilCondition(p -> p == null, 30, TimeUnit.SECONDS);

    String second = probes().resource(probe("again", "one")).create().getMetadata().getUid();

    assertThat(second).isNotBlank().isNotEqualTo(first);
  }

  @Test
  void staleUpdateAnswers409OnTheObjectAndOnItsStatus() {
    GenericKubernetesResource stale = probes().resource(probe("stale", "v1")).create();
    GenericKubernetesResource fresh = probes().withName("stale").get();
    fresh.setAdditionalProperty("spec", Map.of("message", "v2"));
    probes().resource(fresh).update();

    stale.setAdditionalProperty("spec", Map.of("message", "v3"));
    assertThatThrownBy(() -> probes().resource(stale).update())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

    stale.setAdditionalProperty("status", Map.of("observed", "v3"));
    assertThatThrownBy(() -> probes().resource(stale).updateStatus())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void jsonPatchWithAFailingResourceVersionTestAnswers422NotAConflict() {
    String staleVersion =
        probes().resource(probe("guarded", "v1")).create().getMetadata().getResourceVersion();
    String currentVersion =
        probes()
            .withName("guarded")
            .patch(
                PatchContext.of(PatchType.JSON),
                "[{\"op\":\"replace\",\"path\":\"/spec/message\",\"value\":\"v2\"}]")
            .getMetadata()
            .getResourceVersion();

    Resource<GenericKubernetesResource> guarded = probes().withName("guarded");
    assertThatThrownBy(
            () ->
                guarded.patch(
                    PatchContext.of(PatchType.JSON), guardedPatch(staleVersion, "/spec/message")))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getCode()).isNotEqualTo(409);
            });
    assertThatThrownBy(
            () ->
                guarded
                    .subresource("status")
                    .patch(PatchContext.of(PatchType.JSON), guardedPatch(staleVersion, "/status")))
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(422));

    GenericKubernetesResource patched =
        guarded
            .subresource("status")
            .patch(PatchContext.of(PatchType.JSON), guardedPatch(currentVersion, "/status"));
    assertThat(patched.get("status", "observed").toString()).isEqualTo("patched");
  }

  /** A JSON Patch that only applies while the object is still at {@code resourceVersion}. */
  private static String guardedPatch(String resourceVersion, String path) {
    String value = path.equals("/status") ? "{\"observed\":\"patched\"}" : "\"patched\"";
    return "[{\"op\":\"test\",\"path\":\"/metadata/resourceVersion\",\"value\":\""
        + resourceVersion
        + "\"},"
        + "{\"op\":\"add\",\"path\":\""
        + path
        + "\",\"value\":"
        + value
        + "}]";
  }

  private NonNamespaceOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      probes() {
    return client().genericKubernetesResources(PROBES).inNamespace(namespace);
  }

  private GenericKubernetesResource probe(String name, String message) {
    return new GenericKubernetesResourceBuilder()
        .withApiVersion("smoke.fairlead.dev/v1")
        .withKind("Probe")
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", Map.of("message", message)))
        .build();
  }
}
