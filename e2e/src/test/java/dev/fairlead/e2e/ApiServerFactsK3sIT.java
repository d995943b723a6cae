package dev.fairlead.e2e;

import dev.fairlead.testkit.Kubectl;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * {@link ApiServerFacts} against K3s in a container, for machines with a Docker engine. Where none
 * runs (as on Fairlead's CI machines), Testcontainers skips the class and says Docker is not
 * available.
 */
@Testcontainers(disabledWithoutDocker = true)
class ApiServerFactsK3sIT extends ApiServerFacts {

  /** The K3s build of the Kubernetes release the provisioned kube-apiserver is built from. */
  @Container
  static final K3sContainer K3S =
      new K3sContainer(DockerImageName.parse("rancher/k3s:v1.34.4-k3s1"));

  private static KubernetesClient client;
  private static Path kubeconfig;

  @BeforeAll
  static void connect() throws Exception {
    String yaml = K3S.getKubeConfigYaml();
    kubeconfig = Files.createTempFile("fairlead-k3s", ".yaml");
    Files.writeString(kubeconfig, yaml);
    client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(yaml)).build();
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (client != null) {
      client.close();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  @Override
  protected KubernetesClient client() {
    return client;
  }

  @Override
  protected Kubectl kubectl() {
    return new Kubectl(kubeconfig);
  }
}
