package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Secret holding the key of allocation tokens, against a real kube-apiserver: replicas starting
 * at once end with one key, a Secret that is there is read and never replaced, and one without a
 * usable key stops start-up with a message naming it.
 */
class AllocationKeyRealApiServerIT {

  private static final int REPLICAS = 8;

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private String namespace;

  @BeforeEach
  void setUp() {
    namespace = API_SERVER.createNamespace("key-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @Test
  void replicasCreatingTheSecretAtOnceEndWithOneKey() throws Exception {
    List<KubernetesClient> clients = new ArrayList<>();
    for (int i = 0; i < REPLICAS; i++) {
      clients.add(API_SERVER.newClient());
    }
    ExecutorService pool = Executors.newFixedThreadPool(REPLICAS);
    try {
      CyclicBarrier start = new CyclicBarrier(REPLICAS);
      List<Future<AllocationTokens>> replicas = new ArrayList<>();
      for (KubernetesClient client : clients) {
        replicas.add(
            pool.submit(
                () -> {
                  start.await(30, TimeUnit.SECONDS);
                  return AllocationKey.readOrCreate(client, namespace);
                }));
      }
      List<AllocationTokens> keys = new ArrayList<>();
      for (Future<AllocationTokens> replica : replicas) {
        keys.add(replica.get(60, TimeUnit.SECONDS));
      }

      Secret secret =
          API_SERVER
              .client()
              .secrets()
              .inNamespace(namespace)
              .withName(AllocationKey.SECRET_NAME)
              .get();
      byte[] stored = Base64.getDecoder().decode(secret.getData().get(AllocationKey.DATA_KEY));
      assertThat(stored).hasSize(AllocationTokens.KEY_BYTES);
      assertThat(keys)
          .as("every replica's key is the one stored")
          .allSatisfy(key -> assertThat(key).isEqualTo(AllocationTokens.of(stored)));
      assertThat(API_SERVER.client().secrets().inNamespace(namespace).list().getItems())
          .filteredOn(s -> s.getMetadata().getName().startsWith("fairlead"))
          .hasSize(1);
      logs.assertNoLineContains("the key", secret.getData().get(AllocationKey.DATA_KEY));
    } finally {
      pool.shutdownNow();
      clients.forEach(KubernetesClient::close);
    }
  }

  @Test
  void aSecretThatIsThereIsReadAndKept() {
    byte[] key = new byte[40];
    key[3] = 7;
    Secret created =
        createSecret(Map.of(AllocationKey.DATA_KEY, Base64.getEncoder().encodeToString(key)));

    assertThat(AllocationKey.readOrCreate(API_SERVER.client(), namespace))
        .isEqualTo(AllocationTokens.of(key));
    assertThat(
            API_SERVER
                .client()
                .secrets()
                .inNamespace(namespace)
                .withName(AllocationKey.SECRET_NAME)
                .get()
                .getMetadata()
                .getResourceVersion())
        .isEqualTo(created.getMetadata().getResourceVersion());
  }

  @Test
  void aSecretWithoutAUsableKeyStopsStartUpNamingIt() {
    createSecret(Map.of(AllocationKey.DATA_KEY, Base64.getEncoder().encodeToString(new byte[8])));
    String where = "Secret " + namespace + "/" + AllocationKey.SECRET_NAME;
    assertThatThrownBy(() -> AllocationKey.readOrCreate(API_SERVER.client(), namespace))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            where
                + ": data.key holds 8 bytes; it must hold at least 32 (delete the Secret to have Fairlead "
                + "create one)");

    API_SERVER
        .client()
        .secrets()
        .inNamespace(namespace)
        .withName(AllocationKey.SECRET_NAME)
        .delete();
    API_SERVER
        .client()
        .secrets()
        .inNamespace(namespace)
        .withName(AllocationKey.SECRET_NAME)
        .waitUntilCondition(s -> s == null, 30, TimeUnit.SECONDS);
    createSecret(Map.of("other", "eA=="));
    assertThatThrownBy(() -> AllocationKey.readOrCreate(API_SERVER.client(), namespace))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(where + ": data.key is missing");
  }

  private Secret createSecret(Map<String, String> data) {
    return API_SERVER
        .client()
        .secrets()
        .inNamespace(namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(AllocationKey.SECRET_NAME)
                .withNamespace(namespace)
                .endMetadata()
                .withData(data)
                .build())
        .create();
  }
}
