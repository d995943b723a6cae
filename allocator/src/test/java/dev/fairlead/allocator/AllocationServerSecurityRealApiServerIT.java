package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.AllocatorGrpc;
import dev.fairlead.allocation.v1.ListRequest;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allocation API over mutual TLS with a bearer token, with certificates of a CA the test makes:
 * HTTP and gRPC refuse requests without the right token (401 with a JSON body, UNAUTHENTICATED) and
 * clients without a certificate of the CA; certificate and token rotations reach new connections
 * and requests without a restart; and neither key material nor the token ever appears in a log
 * line.
 */
class AllocationServerSecurityRealApiServerIT {

  private static final String TOKEN = "allocator-test-token-4f1d9a7c2b";
  private static final Duration BOUND = Duration.ofSeconds(10);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path dir;

  private final TestCa ca = TestCa.create("allocator-test-ca");
  private final TestCertificate serverCertificate = ca.issue("allocator");
  private final TestCertificate clientCertificate = ca.issue("client");
  private final List<AutoCloseable> closeables = new ArrayList<>();
  private String namespace;
  private AllocationServer server;

  @BeforeAll
  static void installGeneratedCrd() throws Exception {
    try (InputStream in =
        AllocationServerSecurityRealApiServerIT.class
            .getClassLoader()
            .getResourceAsStream(AllocatorRealApiServerIT.GENERATED_CRD)) {
      Crds.apply(API_SERVER.client(), in);
    }
  }

  @BeforeEach
  void startServer() throws IOException {
    namespace =
        API_SERVER.createNamespace("alloc-tls-" + UUID.randomUUID().toString().substring(0, 8));
    serverCertificate.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    ca.writeCertificate(dir.resolve("ca.crt"));
    Files.writeString(dir.resolve("token"), TOKEN + "\n");
    TlsFiles files =
        new TlsFiles(
            dir.resolve("tls.crt"),
            dir.resolve("tls.key"),
            Optional.of(dir.resolve("ca.crt")),
            Duration.ofMillis(50));

    KubernetesClient client = API_SERVER.newClient();
    closeables.add(client);
    Candidate endpoint =
        new Candidate(
            "10.0.0.1", 7777, Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
    EndpointAllocator allocator =
        new EndpointAllocator(
            client,
            (ns, name) -> name.equals("game") ? Optional.of(List.of(endpoint)) : Optional.empty(),
            UnallocatedStatus.DEFAULT,
            new SimpleMeterRegistry(),
            Clock.systemUTC(),
            8,
            AllocatorRealApiServerIT.MAX_TTL,
            AllocatorRealApiServerIT.TOKENS);
    allocator.start();
    closeables.add(allocator);
    server =
        AllocationServer.start(
            allocator,
            "127.0.0.1",
            0,
            0,
            new AllocatorSecurity(
                ServerTransport.tls(files),
                Optional.of(dir.resolve("token")),
                Duration.ofMillis(50)));
    closeables.add(server);
  }

  @AfterEach
  void stopAndCheckLogs() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    logs.assertNoLineContains("the token", TOKEN);
    for (TestCertificate certificate : List.of(serverCertificate, clientCertificate)) {
      logs.assertNoLineContains("a private key", certificate.privateKeyBase64().substring(0, 40));
    }
    logs.assertNoLineContains("PEM", "-----BEGIN");
  }

  private HttpResponse<String> list(
      Optional<TestCertificate> identity, Optional<String> authorization) throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(ca.clientContext(identity))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    "https://127.0.0.1:"
                        + server.httpPort()
                        + "/v1/namespaces/"
                        + namespace
                        + "/allocations?upstream=game"))
            .timeout(Duration.ofSeconds(10));
    authorization.ifPresent(value -> request.header("Authorization", value));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private AllocatorGrpc.AllocatorBlockingStub grpc(Optional<String> authorization) {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1",
                server.grpcPort(),
                TlsChannelCredentials.newBuilder()
                    .trustManager(ca.trustManager())
                    .keyManager(clientCertificate.keyManager())
                    .build())
            .build();
    closeables.add(() -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    Metadata headers = new Metadata();
    authorization.ifPresent(
        value ->
            headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), value));
    return AllocatorGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void httpAnswers401WithoutTheRightTokenAndServesWithIt() throws Exception {
    for (Optional<String> wrong :
        List.of(
            Optional.<String>empty(),
            Optional.of("Bearer not-" + TOKEN),
            Optional.of("Basic " + TOKEN))) {
      HttpResponse<String> refused = list(Optional.of(clientCertificate), wrong);
      assertThat(refused.statusCode()).as("%s", wrong).isEqualTo(401);
      assertThat(refused.headers().firstValue("www-authenticate")).hasValue("Bearer");
      JsonObject error = new JsonObject(refused.body());
      assertThat(error.getInteger("code")).isEqualTo(401);
      assertThat(error.getString("reason")).isEqualTo("Unauthenticated");
      assertThat(error.getString("message")).isNotBlank().doesNotContain(TOKEN);
    }

    HttpResponse<String> served =
        list(Optional.of(clientCertificate), Optional.of("Bearer " + TOKEN));
    assertThat(served.statusCode()).as(served.body()).isEqualTo(200);
  }

  @Test
  void anUnknownPathOrMethodIsRefusedAsUnauthenticatedWithoutTheTokenAndAsJsonWithIt()
      throws Exception {
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(ca.clientContext(Optional.of(clientCertificate)))
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    String origin = "https://127.0.0.1:" + server.httpPort();
    Map<String, Integer> expected =
        Map.of("GET /v2/elsewhere", 404, "PUT /v1/namespaces/" + namespace + "/allocations", 405);
    for (Map.Entry<String, Integer> call : expected.entrySet()) {
      String[] methodAndPath = call.getKey().split(" ");
      for (Optional<String> authorization :
          List.of(Optional.<String>empty(), Optional.of("Bearer " + TOKEN))) {
        HttpRequest.Builder request =
            HttpRequest.newBuilder(URI.create(origin + methodAndPath[1]))
                .method(methodAndPath[0], HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(10));
        authorization.ifPresent(value -> request.header("Authorization", value));
        HttpResponse<String> response =
            http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        int status = authorization.isPresent() ? call.getValue() : 401;
        assertThat(response.statusCode())
            .as("%s %s", call.getKey(), authorization.isPresent())
            .isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonObject error = new JsonObject(response.body());
        assertThat(error.getInteger("code")).isEqualTo(status);
        assertThat(error.getString("reason")).isNotBlank();
        assertThat(error.getString("message")).isNotBlank().doesNotContain(TOKEN);
      }
    }
    assertThat(logs.lines())
        .noneMatch(line -> line.startsWith("ERROR ") || line.startsWith("SEVERE "));
  }

  @Test
  void httpRefusesAClientWithoutACertificateOfTheCaEvenWithTheToken() {
    TestCertificate stranger = TestCa.create("other-ca").issue("stranger");
    for (Optional<TestCertificate> identity :
        List.of(Optional.<TestCertificate>empty(), Optional.of(stranger))) {
      assertThatThrownBy(() -> list(identity, Optional.of("Bearer " + TOKEN)))
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void grpcAnswersUnauthenticatedWithoutTheRightTokenAndAllocatesWithIt() {
    AllocateRequest request =
        AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build();
    for (Optional<String> wrong :
        List.of(Optional.<String>empty(), Optional.of("Bearer not-" + TOKEN))) {
      assertThatThrownBy(() -> grpc(wrong).allocate(request))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    }

    assertThat(grpc(Optional.of("Bearer " + TOKEN)).allocate(request).getEndpoint().getAddress())
        .isEqualTo("10.0.0.1");
    assertThat(
            grpc(Optional.of("Bearer " + TOKEN))
                .list(ListRequest.newBuilder().setNamespace(namespace).setUpstream("game").build())
                .getAllocationsCount())
        .isEqualTo(1);
  }

  @Test
  void rotatedCertificatesAndTokensReachNewConnectionsOnBothPortsWithoutARestart()
      throws Exception {
    TestCertificate rotated = ca.issue("allocator");
    rotated.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    Files.writeString(dir.resolve("token"), "rotated-" + TOKEN);

    for (int port : new int[] {server.httpPort(), server.grpcPort()}) {
      await("port " + port + " presents the new certificate")
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(
                          ca.serverCertificateAt(port, Optional.of(clientCertificate))
                              .getSerialNumber())
                      .isEqualTo(rotated.serial()));
    }
    await("the new token is required")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(
                        list(Optional.of(clientCertificate), Optional.of("Bearer rotated-" + TOKEN))
                            .statusCode())
                    .isEqualTo(200));
    assertThat(list(Optional.of(clientCertificate), Optional.of("Bearer " + TOKEN)).statusCode())
        .isEqualTo(401);
    logs.assertNoLineContains("the rotated token", "rotated-" + TOKEN);
    logs.assertNoLineContains(
        "the rotated private key", rotated.privateKeyBase64().substring(0, 40));
  }
}
