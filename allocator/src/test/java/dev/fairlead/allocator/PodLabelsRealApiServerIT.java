package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link PodLabels} against a real API server: the labels of the Pods of a namespace, none for a
 * Pod that does not exist, and none (never an error) where the client may not list Pods.
 */
class PodLabelsRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @Test
  void aPodsLabelsAreItsLabelsAndAMissingPodHasNone() {
    String namespace =
        API_SERVER.createNamespace("pods-" + UUID.randomUUID().toString().substring(0, 8));
    KubernetesClient client = API_SERVER.client();
    client
        .pods()
        .inNamespace(namespace)
        .resource(pod("web-0", Map.of("tier", "gold", "app", "web")))
        .create();
    client.pods().inNamespace(namespace).resource(pod("web-1", Map.of())).create();

    PodLabels labels = new PodLabels(client);

    assertThat(labels.of(namespace, "web-0")).isEqualTo(Map.of("tier", "gold", "app", "web"));
    assertThat(labels.of(namespace, "web-1")).isEmpty();
    assertThat(labels.of(namespace, "web-2")).isEmpty();
    assertThat(labels.of("no-such-namespace", "web-0")).isEmpty();
  }

  @Test
  void podsThatCannotBeListedHaveNoLabels() throws IOException {
    String namespace =
        API_SERVER.createNamespace("pods-" + UUID.randomUUID().toString().substring(0, 8));
    API_SERVER
        .client()
        .pods()
        .inNamespace(namespace)
        .resource(pod("web-0", Map.of("tier", "gold")))
        .create();
    Config config = Config.fromKubeconfig(Files.readString(API_SERVER.kubeconfig()));
    config.setImpersonateUsername("fairlead-test-nobody");

    try (KubernetesClient nobody = new KubernetesClientBuilder().withConfig(config).build()) {
      assertThat(new PodLabels(nobody).of(namespace, "web-0")).isEmpty();
    }
  }

  private static io.fabric8.kubernetes.api.model.Pod pod(String name, Map<String, String> labels) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("example.invalid/app:1")
        .endContainer()
        .endSpec()
        .build();
  }
}
