package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Allocation;
import dev.fairlead.allocation.v1.AllocatorGrpc;
import dev.fairlead.allocation.v1.ListRequest;
import dev.fairlead.allocation.v1.ReleaseRequest;
import dev.fairlead.allocation.v1.Selector;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The allocator against a real kube-apiserver with the generated Allocation CRD: exhaustion answers
 * the configured status over HTTP and its gRPC code; errors name what is wrong; and two allocator
 * instances (each its own client, informer, gRPC and HTTP server on 127.0.0.1) under 32 concurrent
 * clients never hold one endpoint twice.
 */
class AllocatorRealApiServerIT {

  static final String GENERATED_CRD = "META-INF/fabric8/allocations.fairlead.dev-v1.yml";
  static final Duration MAX_TTL = Duration.ofHours(24);
  static final AllocationTokens TOKENS = AllocationTokens.of(new byte[AllocationTokens.KEY_BYTES]);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String namespace;

  @BeforeAll
  static void installGeneratedCrd() throws Exception {
    try (InputStream in =
        AllocatorRealApiServerIT.class.getClassLoader().getResourceAsStream(GENERATED_CRD)) {
      assertThat(in).as("generated Allocation CRD on the classpath").isNotNull();
      Crds.apply(API_SERVER.client(), in);
    }
  }

  @BeforeEach
  void setUp() {
    namespace = API_SERVER.createNamespace("alloc-" + UUID.randomUUID().toString().substring(0, 8));
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    // Every instance sweeps every namespace: what one test leaves must not be swept (and counted)
    // by the next.
    API_SERVER
        .client()
        .resources(dev.fairlead.api.v1alpha1.Allocation.class)
        .inAnyNamespace()
        .delete();
  }

  private record Instance(
      EndpointAllocator allocator,
      AllocationServer server,
      SimpleMeterRegistry registry,
      AllocatorGrpc.AllocatorBlockingStub grpc) {}

  private Instance instance(UnallocatedStatus status, CandidateSource source) {
    return instance(status, source, Clock.systemUTC());
  }

  private Instance instance(UnallocatedStatus status, CandidateSource source, Clock clock) {
    KubernetesClient client = API_SERVER.newClient();
    closeables.add(client);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    EndpointAllocator allocator =
        new EndpointAllocator(client, source, status, registry, clock, 8, MAX_TTL, TOKENS);
    allocator.start();
    closeables.add(allocator);
    AllocationServer server =
        AllocationServer.start(allocator, "127.0.0.1", 0, 0, AllocatorSecurity.plaintext());
    closeables.add(server);
    ManagedChannel channel =
        ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    closeables.add(channel::shutdownNow);
    return new Instance(allocator, server, registry, AllocatorGrpc.newBlockingStub(channel));
  }

  /**
   * {@code count} endpoints 10.0.0.1… of {@code upstream}, in zone-a (odd) or zone-b (even), their
   * Pods labelled {@code slot=<n>}; an Upstream {@code shared} exists but is not in allocation
   * mode.
   */
  private static CandidateSource candidates(String upstream, int count) {
    List<Candidate> list =
        IntStream.rangeClosed(1, count)
            .mapToObj(
                i ->
                    new Candidate(
                        "10.0.0." + i,
                        7777,
                        Optional.of(i % 2 == 1 ? "zone-a" : "zone-b"),
                        Optional.of("pod-" + i),
                        Optional.of("node-" + i),
                        Map.of()))
            .toList();
    return new CandidateSource() {
      @Override
      public Optional<List<Candidate>> candidates(String namespace, String name) {
        return name.equals(upstream) ? Optional.of(list) : Optional.empty();
      }

      @Override
      public Optional<String> unavailable(String namespace, String name) {
        return name.equals("shared") ? Optional.of("not in allocation mode") : Optional.empty();
      }

      @Override
      public Map<String, String> targetLabels(String namespace, Candidate candidate) {
        return Map.of("slot", candidate.pod().orElseThrow().substring("pod-".length()));
      }
    };
  }

  private HttpResponse<String> post(Instance instance, String body) throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + instance.server().httpPort()
                        + "/v1/namespaces/"
                        + namespace
                        + "/allocations"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("content-type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> send(Instance instance, String method, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + instance.server().httpPort()
                        + "/v1/namespaces/"
                        + namespace
                        + "/allocations"
                        + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void exhaustionAnswersTheConfiguredStatusOverHttpAndItsGrpcCode(int code) throws Exception {
    UnallocatedStatus status = UnallocatedStatus.parse(Integer.toString(code));
    Instance instance = instance(status, candidates("game", 3));
    Set<String> endpoints = new java.util.HashSet<>();
    Map<String, String> tokens = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response =
          post(instance, "{\"upstream\":\"game\",\"labels\":{\"player\":\"p" + i + "\"}}");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
      JsonObject json = new JsonObject(response.body());
      assertThat(json.getString("state")).isEqualTo("ALLOCATED");
      assertThat(json.getString("token"))
          .as("the token of the Allocation object created")
          .isEqualTo(
              TOKENS
                  .tokenFor(
                      API_SERVER
                          .client()
                          .resources(dev.fairlead.api.v1alpha1.Allocation.class)
                          .inNamespace(namespace)
                          .withName(json.getString("name"))
                          .get())
                  .orElseThrow());
      tokens.put(json.getString("name"), json.getString("token"));
      assertThat(json.getJsonObject("labels").getString("player")).isEqualTo("p" + i);
      endpoints.add(json.getJsonObject("endpoint").getString("address"));
    }
    assertThat(endpoints).hasSize(3);

    HttpResponse<String> exhausted = post(instance, "{\"upstream\":\"game\"}");
    assertThat(exhausted.statusCode()).isEqualTo(code);
    JsonObject error = new JsonObject(exhausted.body());
    assertThat(error.getInteger("code")).isEqualTo(code);
    assertThat(error.getString("reason")).isEqualTo("NoFreeEndpoint");
    assertThat(error.getString("message")).contains(namespace + "/game");

    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("game")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(status.grpcCode()));

    String name =
        instance
            .grpc()
            .list(ListRequest.newBuilder().setNamespace(namespace).setUpstream("game").build())
            .getAllocations(0)
            .getName();
    HttpResponse<String> read = send(instance, "GET", "/" + name);
    assertThat(new JsonObject(read.body()).containsKey("token"))
        .as("a read carries no token: " + read.body())
        .isFalse();
    assertThat(send(instance, "DELETE", "/" + name).statusCode()).isEqualTo(200);
    assertThat(send(instance, "GET", "/" + name).statusCode()).isEqualTo(404);
    assertThat(API_SERVER.client().v1().events().inNamespace(namespace).list().getItems())
        .anySatisfy(
            e -> {
              assertThat(e.getReason()).isEqualTo("Released");
              assertThat(e.getInvolvedObject().getName()).isEqualTo(name);
            });
    HttpResponse<String> again = post(instance, "{\"upstream\":\"game\"}");
    assertThat(again.statusCode())
        .as("the released endpoint is free again: " + again.body())
        .isEqualTo(201);
    JsonObject reallocated = new JsonObject(again.body());
    assertThat(reallocated.getString("name")).isEqualTo(name);
    assertThat(reallocated.getString("token"))
        .as("the same endpoint allocated again has another token")
        .isNotEmpty()
        .isNotEqualTo(tokens.get(name));
    logs.assertNoLineContains("the token", reallocated.getString("token"));
    assertNoErrorLogged();
  }

  @Test
  void errorsNameWhatIsWrong() throws Exception {
    Instance instance = instance(UnallocatedStatus.DEFAULT, candidates("game", 1));
    HttpResponse<String> unknown = post(instance, "{\"upstream\":\"nope\"}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(new JsonObject(unknown.body()).getString("reason")).isEqualTo("UpstreamNotFound");

    HttpResponse<String> shared = post(instance, "{\"upstream\":\"shared\"}");
    assertThat(shared.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(shared.body()).getString("reason"))
        .isEqualTo("UpstreamNotAllocatable");
    assertThat(new JsonObject(shared.body()).getString("message"))
        .contains("not in allocation mode");
    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("shared")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION));

    HttpResponse<String> invalid = post(instance, "{\"upstream\":\"game\",\"ttl\":\"-3s\"}");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(invalid.body()).getString("message")).startsWith("ttl:");

    HttpResponse<String> badLabel =
        post(instance, "{\"upstream\":\"game\",\"labels\":{\"bad key\":\"x\"}}");
    assertThat(badLabel.statusCode()).as(badLabel.body()).isEqualTo(400);

    HttpResponse<String> notJson = post(instance, "{\"upstream\":");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(new JsonObject(notJson.body()).getString("message")).startsWith("body:");

    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(AllocateRequest.newBuilder().setNamespace(namespace).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("upstream: is required");
            });
    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .release(
                        ReleaseRequest.newBuilder()
                            .setNamespace(namespace)
                            .setName("missing")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
    assertNoErrorLogged();
  }

  @Test
  void aTtlOverTheMaximumOrNotADurationIsRefusedNamingTtlAndNoTtlMeansTheMaximum()
      throws Exception {
    Instance instance = instance(UnallocatedStatus.DEFAULT, candidates("game", 2));
    HttpResponse<String> tooLong =
        post(instance, "{\"upstream\":\"game\",\"ttl\":\"99999999999s\"}");
    assertJsonError(
        tooLong,
        400,
        "InvalidField",
        "ttl: must be at most 86400s, the server's maximum, was 99999999999s");
    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("game")
                            .setTtl(
                                com.google.protobuf.Duration.newBuilder()
                                    .setSeconds(10_000L * 365 * 24 * 3600))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("ttl: must be at most 86400s");
            });
    for (String bad :
        List.of("\"abc\"", "\"99999999h\"", "\"999999999999999s\"", "600", "\"-3s\"", "\"0s\"")) {
      HttpResponse<String> refused = post(instance, "{\"upstream\":\"game\",\"ttl\":" + bad + "}");
      assertJsonError(refused, 400, "InvalidField", "ttl: must be a");
    }
    assertThat(
            API_SERVER
                .client()
                .resources(dev.fairlead.api.v1alpha1.Allocation.class)
                .inNamespace(namespace)
                .list()
                .getItems())
        .as("nothing refused was recorded")
        .isEmpty();

    HttpResponse<String> atMaximum = post(instance, "{\"upstream\":\"game\",\"ttl\":\"86400s\"}");
    assertThat(atMaximum.statusCode()).as(atMaximum.body()).isEqualTo(201);
    Instant before = Instant.now();
    Allocation withoutTtl =
        instance
            .grpc()
            .allocate(
                AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build());
    assertThat(Instant.ofEpochSecond(withoutTtl.getExpiresAt().getSeconds()))
        .as("an allocation without a ttl is held for the maximum")
        .isBetween(
            before.plus(MAX_TTL).minusSeconds(5), Instant.now().plus(MAX_TTL).plusSeconds(5));
    assertNoErrorLogged();
  }

  @Test
  void everyHttpErrorIsJsonNamingWhatIsWrongAndNoneLogsAnError() throws Exception {
    Instance instance = instance(UnallocatedStatus.DEFAULT, candidates("game", 1));
    String base =
        "http://127.0.0.1:"
            + instance.server().httpPort()
            + "/v1/namespaces/"
            + namespace
            + "/allocations";
    assertJsonError(
        post(instance, "{\"upstream\":"), 400, "InvalidField", "body: is not valid JSON");
    assertJsonError(
        post(instance, "[\"game\"]"), 400, "InvalidField", "body: must be a JSON object");
    assertJsonError(
        post(instance, "{\"upstream\":\"game\",\"owner\":\"me\"}"),
        400,
        "InvalidField",
        "owner: unknown field");
    assertJsonError(
        post(instance, "{\"upstream\":\"game\",\"labels\":[\"a\"]}"),
        400,
        "InvalidField",
        "labels: must be an object");
    assertJsonError(
        post(instance, "{\"upstream\":\"game\",\"selector\":{\"labels\":{\"bad key\":\"1\"}}}"),
        400,
        "InvalidField",
        "selector.labels[bad key]: the key must be");
    assertJsonError(
        post(
            instance,
            "{\"upstream\":\"game\",\"selector\":{\"labels\":{\"slot\":\"not valid!\"}}}"),
        400,
        "InvalidField",
        "selector.labels[slot]: must be a label value");
    assertJsonError(
        post(instance, "{\"upstream\":\"game\",\"labels\":{\"bad key\":\"x\"}}"),
        400,
        "InvalidField",
        "labels[bad key]: the key must be");
    assertJsonError(
        http.send(
            HttpRequest.newBuilder(URI.create(base))
                .header("content-type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"upstream\":\"game\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString()),
        415,
        "UnsupportedMediaType",
        "content-type: must be application/json");
    assertJsonError(
        http.send(
            HttpRequest.newBuilder(URI.create(base))
                .POST(HttpRequest.BodyPublishers.ofString("upstream=game"))
                .build(),
            HttpResponse.BodyHandlers.ofString()),
        415,
        "UnsupportedMediaType",
        "content-type: must be application/json");
    for (int size : new int[] {64 * 1024 + 1, 4 * 1024 * 1024}) {
      assertJsonError(
          post(instance, "{\"upstream\":\"game\",\"labels\":{\"x\":\"" + "a".repeat(size) + "\"}}"),
          413,
          "BodyTooLarge",
          "body: larger than the limit of 65536 bytes");
    }
    assertJsonError(
        send(instance, "PUT", ""), 405, "MethodNotAllowed", "method: PUT is not allowed");
    assertJsonError(
        send(instance, "POST", "/some-name"),
        405,
        "MethodNotAllowed",
        "method: POST is not allowed");
    assertJsonError(
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + instance.server().httpPort() + "/v2/anything"))
                .build(),
            HttpResponse.BodyHandlers.ofString()),
        404,
        "NotFound",
        "path: no resource at");
    assertJsonError(
        send(instance, "GET", "/missing"), 404, "AllocationNotFound", "allocation " + namespace);

    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("game")
                            .setSelector(Selector.newBuilder().putLabels("bad key", "1"))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("selector.labels[bad key]: the key must be");
            });
    HttpResponse<String> stillServes = post(instance, "{\"upstream\":\"game\"}");
    assertThat(stillServes.statusCode()).as(stillServes.body()).isEqualTo(201);
    assertNoErrorLogged();
  }

  @Test
  void aFaultOfTheServerIsLoggedAtErrorAndAnsweredWithoutItsDetails() throws Exception {
    Instance instance =
        instance(
            UnallocatedStatus.DEFAULT,
            (ns, name) -> {
              throw new IllegalStateException("candidate index corrupted: secret-detail");
            });
    assertJsonError(
        post(instance, "{\"upstream\":\"game\"}"), 500, "InternalError", "internal error");
    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("game")
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL);
              assertThat(e.getStatus().getDescription())
                  .startsWith("InternalError: internal error")
                  .doesNotContain("IllegalStateException", "secret-detail");
            });
    assertThat(logs.lines())
        .filteredOn(line -> line.startsWith("ERROR "))
        .hasSize(2)
        .allSatisfy(line -> assertThat(line).contains("secret-detail"));
  }

  /**
   * A JSON error of {@code status} whose message begins with {@code message} and names no Java
   * class.
   */
  private static void assertJsonError(
      HttpResponse<String> response, int status, String reason, String message) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    JsonObject error = new JsonObject(response.body());
    assertThat(error.fieldNames()).containsExactlyInAnyOrder("code", "reason", "message");
    assertThat(error.getInteger("code")).isEqualTo(status);
    assertThat(error.getString("reason")).isEqualTo(reason);
    assertThat(error.getString("message"))
        .startsWith(message)
        .doesNotContainPattern("\\b[a-z]+(\\.[a-z0-9]+)+\\.[A-Z][A-Za-z]*(Exception|Error)\\b")
        .doesNotContain(
            "Exception", "com.google", "com.fasterxml", "io.vertx", "java.", "secret-detail");
  }

  @Test
  void selectorsPickByZoneAndTargetLabelsAndTheAnswerNamesTheTarget() throws Exception {
    Instance instance = instance(UnallocatedStatus.DEFAULT, candidates("game", 4));
    HttpResponse<String> byLabel =
        post(instance, "{\"upstream\":\"game\",\"selector\":{\"labels\":{\"slot\":\"3\"}}}");
    assertThat(byLabel.statusCode()).as(byLabel.body()).isEqualTo(201);
    JsonObject allocated = new JsonObject(byLabel.body());
    assertThat(allocated.getJsonObject("endpoint").getString("address")).isEqualTo("10.0.0.3");
    assertThat(allocated.getJsonObject("target").getString("pod")).isEqualTo("pod-3");
    assertThat(allocated.getJsonObject("target").getString("node")).isEqualTo("node-3");
    assertThat(allocated.getJsonObject("target").getString("zone")).isEqualTo("zone-a");

    HttpResponse<String> sameLabel =
        post(instance, "{\"upstream\":\"game\",\"selector\":{\"labels\":{\"slot\":\"3\"}}}");
    assertThat(sameLabel.statusCode())
        .as("the only endpoint labelled slot=3 is held")
        .isEqualTo(429);

    Set<String> zoneB = new java.util.HashSet<>();
    for (int i = 0; i < 2; i++) {
      Allocation inZone =
          instance
              .grpc()
              .allocate(
                  AllocateRequest.newBuilder()
                      .setNamespace(namespace)
                      .setUpstream("game")
                      .setSelector(Selector.newBuilder().setZone("zone-b"))
                      .build());
      assertThat(inZone.getTarget().getZone()).isEqualTo("zone-b");
      zoneB.add(inZone.getEndpoint().getAddress());
    }
    assertThat(zoneB).containsExactlyInAnyOrder("10.0.0.2", "10.0.0.4");
    assertThatThrownBy(
            () ->
                instance
                    .grpc()
                    .allocate(
                        AllocateRequest.newBuilder()
                            .setNamespace(namespace)
                            .setUpstream("game")
                            .setSelector(Selector.newBuilder().setZone("zone-b"))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertNoErrorLogged();
  }

  @Test
  void expiryAndAVanishedEndpointFreeTheAllocationAndSayWhy() {
    AtomicReference<Instant> now = new AtomicReference<>(Instant.now());
    Clock clock =
        new Clock() {
          @Override
          public ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now.get();
          }
        };
    AtomicReference<List<Candidate>> endpoints =
        new AtomicReference<>(
            List.of(Candidate.of("10.0.0.1", 7777), Candidate.of("10.0.0.2", 7777)));
    Instance instance =
        instance(
            UnallocatedStatus.DEFAULT,
            (ns, name) -> name.equals("game") ? Optional.of(endpoints.get()) : Optional.empty(),
            clock);
    Allocation expiring =
        instance
            .grpc()
            .allocate(
                AllocateRequest.newBuilder()
                    .setNamespace(namespace)
                    .setUpstream("game")
                    .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60))
                    .build());
    Allocation staying =
        instance
            .grpc()
            .allocate(
                AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build());
    assertThat(expiring.hasExpiresAt()).isTrue();

    assertThat(instance.allocator().sweep(10)).as("nothing expired or gone yet").isZero();
    now.set(now.get().plusSeconds(61));
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                instance.allocator().sweep(10) == 1
                    || API_SERVER
                            .client()
                            .resources(dev.fairlead.api.v1alpha1.Allocation.class)
                            .inNamespace(namespace)
                            .withName(expiring.getName())
                            .get()
                        == null);
    endpoints.set(List.of(Candidate.of(expiring.getEndpoint().getAddress(), 7777)));
    assertThat(instance.allocator().sweep(10)).isEqualTo(1);
    assertThat(
            instance
                .grpc()
                .list(ListRequest.newBuilder().setNamespace(namespace).setUpstream("game").build())
                .getAllocationsList())
        .isEmpty();
    Map<String, String> reasons =
        API_SERVER.client().v1().events().inNamespace(namespace).list().getItems().stream()
            .collect(Collectors.toMap(e -> e.getInvolvedObject().getName(), e -> e.getReason()));
    assertThat(reasons)
        .containsEntry(expiring.getName(), "Expired")
        .containsEntry(staying.getName(), "EndpointGone");
    assertNoErrorLogged();
  }

  @Test
  void twoInstancesAndManyClientsNeverHoldOneEndpointTwice() throws Exception {
    int endpointCount = 8;
    CandidateSource source = candidates("game", endpointCount);
    List<Instance> instances =
        List.of(
            instance(UnallocatedStatus.DEFAULT, source),
            instance(UnallocatedStatus.DEFAULT, source));
    int threads = 32;
    int maxAllocationsPerThread = 25;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Map<String, String> heldByClients = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
    LongAdder allocated = new LongAdder();
    LongAdder exhausted = new LongAdder();
    LongAdder aborted = new LongAdder();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Instance instance = instances.get(t % 2);
      boolean overHttp = (t / 2) % 2 == 0;
      futures.add(
          pool.submit(
              () -> {
                for (int i = 0; i < maxAllocationsPerThread && System.nanoTime() < deadline; i++) {
                  boolean last = i == maxAllocationsPerThread - 1;
                  Optional<String[]> got =
                      overHttp
                          ? allocateOverHttp(instance, exhausted, aborted, violations)
                          : allocateOverGrpc(instance, exhausted, aborted, violations);
                  if (got.isEmpty()) {
                    continue;
                  }
                  allocated.increment();
                  String endpoint = got.get()[1];
                  String other = heldByClients.putIfAbsent(endpoint, got.get()[0]);
                  if (other != null) {
                    violations.add(
                        "endpoint "
                            + endpoint
                            + " handed out as "
                            + got.get()[0]
                            + " while "
                            + other
                            + " holds it");
                    continue;
                  }
                  if (last) {
                    break;
                  }
                  // Forget it before releasing: until the delete completes the server still holds
                  // it for us.
                  heldByClients.remove(endpoint);
                  release(instance, overHttp, got.get()[0], violations);
                }
                return null;
              }));
    }
    for (Future<?> future : futures) {
      future.get(120, TimeUnit.SECONDS);
    }
    pool.shutdown();

    assertThat(violations).isEmpty();
    assertThat(allocated.sum()).isGreaterThan(threads);
    List<Allocation> listed =
        instances
            .get(0)
            .grpc()
            .list(ListRequest.newBuilder().setNamespace(namespace).setUpstream("game").build())
            .getAllocationsList();
    Map<String, String> listedByEndpoint =
        listed.stream()
            .collect(
                Collectors.toMap(
                    a -> a.getEndpoint().getAddress() + ":" + a.getEndpoint().getPort(),
                    Allocation::getName));
    assertThat(listed).hasSizeLessThanOrEqualTo(endpointCount);
    assertThat(listedByEndpoint).isEqualTo(heldByClients);

    double conflicts =
        instances.stream()
            .mapToDouble(i -> i.registry().get("fairlead.allocator.conflicts").counter().count())
            .sum();
    assertThat(conflicts).as("conflicts counted").isGreaterThan(0);
    double counted =
        instances.stream()
            .mapToDouble(
                i ->
                    i.registry()
                        .get("fairlead.allocations")
                        .tag("outcome", "allocated")
                        .counter()
                        .count())
            .sum();
    assertThat(counted).isEqualTo((double) allocated.sum());
    System.out.printf(
        "allocated %d, exhausted %d, aborted %d, conflicts %.0f%n",
        allocated.sum(), exhausted.sum(), aborted.sum(), conflicts);
    assertNoErrorLogged();
  }

  private Optional<String[]> allocateOverHttp(
      Instance instance,
      LongAdder exhausted,
      LongAdder aborted,
      ConcurrentLinkedQueue<String> violations)
      throws Exception {
    HttpResponse<String> response = post(instance, "{\"upstream\":\"game\"}");
    switch (response.statusCode()) {
      case 201 -> {
        JsonObject json = new JsonObject(response.body());
        JsonObject endpoint = json.getJsonObject("endpoint");
        return Optional.of(
            new String[] {
              json.getString("name"),
              endpoint.getString("address") + ":" + endpoint.getInteger("port")
            });
      }
      case 429 -> exhausted.increment();
      case 409 -> aborted.increment();
      default -> violations.add("unexpected HTTP " + response.statusCode() + " " + response.body());
    }
    return Optional.empty();
  }

  private Optional<String[]> allocateOverGrpc(
      Instance instance,
      LongAdder exhausted,
      LongAdder aborted,
      ConcurrentLinkedQueue<String> violations) {
    try {
      Allocation allocation =
          instance
              .grpc()
              .allocate(
                  AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build());
      return Optional.of(
          new String[] {
            allocation.getName(),
            allocation.getEndpoint().getAddress() + ":" + allocation.getEndpoint().getPort()
          });
    } catch (StatusRuntimeException e) {
      switch (e.getStatus().getCode()) {
        case RESOURCE_EXHAUSTED -> exhausted.increment();
        case ABORTED -> aborted.increment();
        default -> violations.add("unexpected gRPC " + e.getStatus());
      }
      return Optional.empty();
    }
  }

  private void release(
      Instance instance, boolean overHttp, String name, ConcurrentLinkedQueue<String> violations)
      throws Exception {
    if (overHttp) {
      HttpResponse<String> response = send(instance, "DELETE", "/" + name);
      if (response.statusCode() != 200) {
        violations.add(
            "release of " + name + ": HTTP " + response.statusCode() + " " + response.body());
      }
    } else {
      try {
        instance
            .grpc()
            .release(ReleaseRequest.newBuilder().setNamespace(namespace).setName(name).build());
      } catch (StatusRuntimeException e) {
        violations.add("release of " + name + ": " + e.getStatus());
      }
    }
  }

  /**
   * No ERROR line (SLF4J) or SEVERE line (java.util.logging, as Vert.x and gRPC may write) was
   * written.
   */
  private void assertNoErrorLogged() {
    assertThat(logs.lines())
        .noneMatch(line -> line.startsWith("ERROR ") || line.startsWith("SEVERE "));
  }
}
