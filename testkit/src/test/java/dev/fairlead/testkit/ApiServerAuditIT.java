package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ApiServerAudit} on a real kube-apiserver: every write is logged with the client's {@code
 * User-Agent}, when the server received it and what it answered; reads are not; the log carries on
 * across an API server restart.
 */
class ApiServerAuditIT {

  private static final ApiServerAudit AUDIT =
      ApiServerAudit.ofWrites(Path.of("target", "api-server-audit-it"));

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer(AUDIT.flags());

  @Test
  void writesAreLoggedWithTheirClientTimeAndAnswerAcrossARestart() throws Exception {
    Config config = Config.fromKubeconfig(Files.readString(API_SERVER.kubeconfig()));
    config.setUserAgent("audit-it/1 (replica-x)");
    Instant start = Instant.now();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      ConfigMap map =
          new ConfigMapBuilder()
              .withNewMetadata()
              .withName("audited")
              .endMetadata()
              .addToData("k", "v")
              .build();
      client.configMaps().inNamespace("default").resource(map).create();
      assertThatThrownBy(() -> client.configMaps().inNamespace("default").resource(map).create())
          .isInstanceOf(KubernetesClientException.class);
      client.configMaps().inNamespace("default").withName("audited").get();

      API_SERVER.restartApiServer();
      client.configMaps().inNamespace("default").withName("audited").delete();
    }

    List<ApiServerAudit.Event> ours =
        AUDIT.events().stream()
            .filter(e -> e.userAgent().equals("audit-it/1 (replica-x)"))
            .toList();
    assertThat(ours)
        .extracting(ApiServerAudit.Event::verb, ApiServerAudit.Event::code)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("create", 201),
            org.assertj.core.groups.Tuple.tuple("create", 409),
            org.assertj.core.groups.Tuple.tuple("delete", 200));
    assertThat(ours)
        .allSatisfy(
            e -> {
              assertThat(e.resource()).isEqualTo("configmaps");
              assertThat(e.namespace()).isEqualTo("default");
              assertThat(e.received()).isAfter(start).isBefore(Instant.now());
            });
    assertThat(ours).extracting(ApiServerAudit.Event::accepted).containsExactly(true, false, true);
    assertThat(ours.get(0).name()).isEqualTo("audited");
  }
}
