package dev.fairlead.e2e;

import dev.fairlead.testkit.Kubectl;
import dev.fairlead.testkit.RealCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ApiServerFacts} against the real node's cluster (kubelet, controller manager, scheduler
 * and all), the K3s suite's checks on a machine without Docker.
 */
class ApiServerFactsRealNodeIT extends ApiServerFacts {

  @RegisterExtension static final RealCluster CLUSTER = new RealCluster();

  @Override
  protected KubernetesClient client() {
    return CLUSTER.client();
  }

  @Override
  protected Kubectl kubectl() {
    return CLUSTER.kubectl();
  }
}
