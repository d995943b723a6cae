package dev.fairlead.provisioner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fairlead's xDS CA in its Secret, against a real kube-apiserver: created at first start, read back
 * by every later one, one CA however many replicas start at once, and a Secret holding no usable CA
 * refused naming the Secret and the field, never replaced.
 */
class CaSecretRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final AtomicInteger NAMESPACES = new AtomicInteger();
  private static final String NAME = "fairlead-xds-ca";

  private String ns;

  @BeforeEach
  void namespace() {
    ns = API_SERVER.createNamespace("ca-" + NAMESPACES.incrementAndGet());
  }

  @Test
  void theFirstStartCreatesTheCaAndLaterOnesReadIt() {
    KubernetesClient client = API_SERVER.client();

    ProxyCertificateAuthority created = CaSecret.readOrCreate(client, ns, NAME);
    ProxyCertificateAuthority read = CaSecret.readOrCreate(client, ns, NAME);

    assertThat(read.ca().certificate()).isEqualTo(created.ca().certificate());
    Secret secret = client.secrets().inNamespace(ns).withName(NAME).get();
    assertThat(secret.getData()).containsOnlyKeys(CaSecret.CERTIFICATE_KEY, CaSecret.KEY_KEY);
    assertThat(secret.getMetadata().getLabels())
        .containsEntry("app.kubernetes.io/managed-by", "fairlead");
  }

  @Test
  void replicasStartingAtOnceSettleOnOneCa() throws Exception {
    int replicas = 6;
    ExecutorService pool = Executors.newFixedThreadPool(replicas);
    List<KubernetesClient> clients = new ArrayList<>();
    try {
      List<Future<ProxyCertificateAuthority>> starts = new ArrayList<>();
      for (int i = 0; i < replicas; i++) {
        KubernetesClient client = API_SERVER.newClient();
        clients.add(client);
        starts.add(pool.submit(() -> CaSecret.readOrCreate(client, ns, NAME)));
      }
      for (Future<ProxyCertificateAuthority> start : starts) {
        assertThat(start.get().ca().certificate())
            .isEqualTo(starts.get(0).get().ca().certificate());
      }
    } finally {
      pool.shutdownNow();
      clients.forEach(KubernetesClient::close);
    }
  }

  @Test
  void aSecretWithoutAUsableCaStopsStartUpNamingItAndIsLeftAlone() {
    KubernetesClient client = API_SERVER.client();
    ProxyCertificateAuthority other = ProxyCertificateAuthority.create(java.time.Instant.now());
    ProxyCertificateAuthority ca = ProxyCertificateAuthority.create(java.time.Instant.now());
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName("missing-key")
                .endMetadata()
                .withData(
                    Map.of(CaSecret.CERTIFICATE_KEY, CaSecret.base64(ca.ca().certificatePem())))
                .build())
        .create();
    client
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withNamespace(ns)
                .withName("mismatched")
                .endMetadata()
                .withData(
                    Map.of(
                        CaSecret.CERTIFICATE_KEY,
                        CaSecret.base64(ca.ca().certificatePem()),
                        CaSecret.KEY_KEY,
                        CaSecret.base64(other.ca().keyPem())))
                .build())
        .create();

    assertThatThrownBy(() -> CaSecret.readOrCreate(client, ns, "missing-key"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Secret "
                + ns
                + "/missing-key: data.ca.key is missing (delete the Secret to have Fairlead create "
                + "a new CA)");
    assertThatThrownBy(() -> CaSecret.readOrCreate(client, ns, "mismatched"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "Secret "
                + ns
                + "/mismatched: the CA key does not match the CA certificate (delete the Secret "
                + "to have Fairlead create a new CA)");
    assertThat(
            client
                .secrets()
                .inNamespace(ns)
                .withName("mismatched")
                .get()
                .getData()
                .get(CaSecret.KEY_KEY))
        .isEqualTo(CaSecret.base64(other.ca().keyPem()));
  }
}
