package dev.fairlead.e2e;

import dev.fairlead.testkit.Kubectl;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link ApiServerFacts} against the provisioned kube-apiserver and etcd, on 127.0.0.1. */
class ApiServerFactsRealApiServerIT extends ApiServerFacts {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @Override
  protected KubernetesClient client() {
    return API_SERVER.client();
  }

  @Override
  protected Kubectl kubectl() {
    return API_SERVER.kubectl();
  }
}
