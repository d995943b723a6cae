package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.testkit.RealCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What suites on the real node rely on from {@link RealCluster} itself. */
class RealClusterRealNodeIT {

  @RegisterExtension static final RealCluster CLUSTER = new RealCluster();

  /**
   * The node outlives this suite: its pods stop here, so they load nothing while later suites run.
   */
  @AfterAll
  static void deleteNamespaces() {
    if (RealCluster.unavailableReason().isEmpty()) {
      CLUSTER.client().namespaces().withName("never-ready").delete();
      CLUSTER.client().namespaces().withName("backend-check").delete();
    }
  }

  @Test
  void aPodThatNeverBecomesReadyFailsTheWaitWithItsConditionsAndEvents() {
    CLUSTER.importTestImage("backend");
    String namespace = CLUSTER.createNamespace("never-ready");
    createBackendPod(namespace, "stuck", "/missing");

    assertThatThrownBy(
            () ->
                CLUSTER.awaitReadyPods(
                    namespace, Map.of("app", "stuck"), 1, Duration.ofSeconds(30)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("pod stuck: phase Running")
        .hasMessageContaining("Ready=False")
        .hasMessageContaining("Readiness probe failed: HTTP probe failed with statuscode: 404");
  }

  @Test
  void theBackendImageAnswersWithItsPodsName() throws Exception {
    CLUSTER.importTestImage("backend");
    String namespace = CLUSTER.createNamespace("backend-check");
    createBackendPod(namespace, "echo", "/index.html");
    String address =
        CLUSTER
            .awaitReadyPods(namespace, Map.of("app", "echo"), 1, Duration.ofMinutes(2))
            .get(0)
            .getStatus()
            .getPodIP();

    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://" + address + ":8080/cgi-bin/pod"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body().strip()).isEqualTo("echo");
  }

  /**
   * A pod {@code name} (label {@code app: name}) of the backend image, ready when {@code
   * readinessPath} answers.
   */
  private static void createBackendPod(String namespace, String name, String readinessPath) {
    CLUSTER
        .client()
        .resource(
            """
        apiVersion: v1
        kind: Pod
        metadata: {name: %s, namespace: %s, labels: {app: %s}}
        spec:
          containers:
          - name: backend
            image: fairlead.dev/backend:busybox
            imagePullPolicy: IfNotPresent
            readinessProbe:
              httpGet: {path: %s, port: 8080}
              periodSeconds: 1
        """
                .formatted(name, namespace, name, readinessPath))
        .create();
  }
}
