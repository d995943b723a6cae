package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.app.StandaloneFairlead;
import dev.fairlead.app.StandaloneOptions;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.Backends;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.GrpcBackend;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import dev.fairlead.xds.server.ProxyStatus;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Standalone mode end to end: Fairlead serving a directory of YAML files to a real Envoy
 * (state-of-the-world and delta ADS) and to gRPC's own xDS client, with real local backends behind
 * them; its admin server (health, readiness, metrics, debug documents) and {@code fairlead
 * proxy-status} describing that Envoy.
 */
class StandaloneModeEnvoyIT {

  private static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(10);
  private static final String FLEET = "default/edge";
  private static final List<String> TYPES = List.of("CDS", "EDS", "LDS", "RDS");

  @RegisterExtension final Envoys envoys = new Envoys();

  @RegisterExtension final Backends backends = new Backends();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path config;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final int listenerPort = LoopbackPorts.free();
  private StandaloneFairlead fairlead;

  @AfterEach
  void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void requestsReachTheBackendTheirPathAndWeightChoose(AdsMode mode) throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend green = backends.http("green");
    write(
        "upstreams.yaml", staticUpstream("blue", blue) + "---\n" + staticUpstream("green", green));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - matches: [{path: {type: PathPrefix, value: /blue}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
          - matches: [{path: {type: Exact, value: /green}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - matches: [{path: {type: PathPrefix, value: /}, headers: [{name: x-canary, value: "yes"}]}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - backendRefs:
            - {group: fairlead.dev, kind: Upstream, name: blue, weight: 1}
            - {group: fairlead.dev, kind: Upstream, name: green, weight: 1}
        """));
    startFairleadAndEnvoy(mode);

    assertThat(get("/blue/anything")).isEqualTo("blue");
    assertThat(get("/green")).isEqualTo("green");
    assertThat(get("/green/not-exact")).isIn("blue", "green");
    assertThat(send("/", Map.of("x-canary", "yes")).body()).isEqualTo("green\n");
    List<String> split = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      split.add(get("/split"));
    }
    assertThat(split).contains("blue", "green");
  }

  @Test
  void filtersModifyHeadersRedirectAndRewriteAndHostPortsAreIgnored() throws Exception {
    HttpBackend app = backends.http("app");
    write("upstreams.yaml", staticUpstream("app", app));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
                "web",
                """
          - matches: [{path: {type: PathPrefix, value: /headers}}]
            filters:
            - type: RequestHeaderModifier
              requestHeaderModifier:
                set: [{name: X-Set, value: "100%"}]
                add: [{name: x-add, value: added}]
                remove: [x-remove]
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                add: [{name: x-response, value: "yes"}]
                remove: [x-backend]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
          - matches: [{path: {type: Exact, value: /moved}}]
            filters:
            - type: RequestRedirect
              requestRedirect: {scheme: https, hostname: example.org, statusCode: 301}
          - matches: [{path: {type: PathPrefix, value: /old}}]
            filters:
            - type: RequestRedirect
              requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}}
          - matches: [{path: {type: PathPrefix, value: /api}}]
            filters:
            - type: URLRewrite
              urlRewrite: {hostname: internal.example.com, path: {type: ReplacePrefixMatch, replacePrefixMatch: /v2}}
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
        """)
            + "---\n"
            + """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: specific}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [very.specific.com]
          rules:
          - matches: [{path: {type: Exact, value: /specific}}]
            filters:
            - type: ResponseHeaderModifier
              responseHeaderModifier:
                set: [{name: x-route, value: specific}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
        """);
    startFairleadAndEnvoy(AdsMode.SOTW);

    HttpResponse<String> headers =
        send("/headers/x", Map.of("x-set", "old", "x-add", "first", "x-remove", "gone"));
    assertThat(headers.statusCode()).isEqualTo(200);
    assertThat(headers.headers().firstValue("x-response")).contains("yes");
    assertThat(headers.headers().firstValue(HttpBackend.IDENTITY_HEADER)).isEmpty();
    HttpBackend.Request forwarded = app.lastRequest().orElseThrow();
    assertThat(forwarded.headers().get("x-set")).containsExactly("100%");
    assertThat(String.join(",", forwarded.headers().get("x-add")))
        .contains("first")
        .contains("added");
    assertThat(forwarded.header("x-remove")).isEmpty();

    HttpResponse<String> moved = send("/moved?q=1", Map.of());
    assertThat(moved.statusCode()).isEqualTo(301);
    assertThat(moved.headers().firstValue("location")).contains("https://example.org/moved?q=1");

    HttpResponse<String> old = send("/old/page?q=1", Map.of());
    assertThat(old.statusCode()).isEqualTo(302);
    assertThat(old.headers().firstValue("location"))
        .contains("http://127.0.0.1:" + listenerPort + "/new/page?q=1");

    assertThat(send("/api/items?x=1", Map.of()).statusCode()).isEqualTo(200);
    forwarded = app.lastRequest().orElseThrow();
    assertThat(forwarded.target()).isEqualTo("/v2/items?x=1");
    assertThat(forwarded.header("host")).contains("internal.example.com");
    assertThat(send("/api", Map.of()).statusCode()).isEqualTo(200);
    assertThat(app.lastRequest().orElseThrow().target()).isEqualTo("/v2");

    assertThat(rawGet("/specific", "very.specific.com:1234")).contains("x-route: specific");
    assertThat(app.lastRequest().orElseThrow().header("host")).contains("very.specific.com:1234");
    assertThat(rawGet("/specific", "very.specific.com")).contains("x-route: specific");
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void editingFilesChangesTrafficPromptly(AdsMode mode) throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend blue2 = backends.http("blue-2");
    HttpBackend green = backends.http("green");
    write("blue.yaml", staticUpstream("blue", blue));
    write("green.yaml", staticUpstream("green", green));
    write("gateway.yaml", gateway());
    write("routes.yaml", weightedRoute(1, 0));
    EnvoyProcess envoy = startFairleadAndEnvoy(mode);
    assertThat(get("/")).isEqualTo("blue");
    List<Long> millis = new ArrayList<>();

    write("blue.yaml", staticUpstream("blue", blue, blue2));
    millis.add(timeUntil(() -> get("/").equals("blue-2")));

    write("routes.yaml", weightedRoute(0, 1));
    millis.add(timeUntil(() -> allOf(10, "green")));

    Files.delete(config.resolve("green.yaml"));
    millis.add(
        timeUntil(
            () ->
                send("/", Map.of()).statusCode() == 500
                    && !envoy.configDump().contains("upstream/default/green")));

    System.out.println("CONVERGENCE " + mode + " file change to Envoy serving it (ms): " + millis);
  }

  /**
   * What can land under a file's name that Fairlead cannot use, and the reason its WARN line gives.
   */
  enum UnusableFile {
    RANDOM_BYTES("not UTF-8"),
    LATIN1_BYTE_IN_A_COMMENT(":1: not UTF-8: byte 0xE9"),
    CANNOT_BE_OPENED("cannot be read: "),
    NO_READ_PERMISSION("cannot be read: permission denied"),
    SYMBOLIC_LINK_TO_ITSELF("cannot be read: "),
    EMPTY("the file is empty");

    final String reason;

    UnusableFile(String reason) {
      this.reason = reason;
    }
  }

  @ParameterizedTest
  @EnumSource(UnusableFile.class)
  void aFileThatCannotBeUsedIsReportedOnceAndItsLastGoodContentKeepsServing(UnusableFile unusable)
      throws Exception {
    HttpBackend blue = backends.http("blue");
    serveOnlyBlue(blue, AdsMode.DELTA);
    Path file = config.resolve("blue.yaml");

    try (Traffic traffic = new Traffic(List.of("blue"))) {
      switch (unusable) {
        case RANDOM_BYTES -> {
          byte[] garbage = new byte[4096];
          new java.util.Random(15).nextBytes(garbage);
          write("blue.yaml", garbage);
        }
        case LATIN1_BYTE_IN_A_COMMENT ->
            write(
                "blue.yaml",
                ("# caf\u00e9\n" + staticUpstream("blue", blue))
                    .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        case CANNOT_BE_OPENED -> {
          // Opening a Unix domain socket fails for every user, root included (ENXIO).
          Path socket = config.resolve(".blue.yaml.sock");
          try (var server =
              java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            server.bind(java.net.UnixDomainSocketAddress.of(socket));
          }
          Files.move(
              socket,
              file,
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        case NO_READ_PERMISSION -> {
          Files.setPosixFilePermissions(
              file, java.nio.file.attribute.PosixFilePermissions.fromString("---------"));
          org.junit.jupiter.api.Assumptions.assumeFalse(
              Files.isReadable(file), "permissions do not stop this user (root) from reading");
        }
        case SYMBOLIC_LINK_TO_ITSELF ->
            Files.move(
                Files.createSymbolicLink(config.resolve(".blue.yaml.link"), Path.of("blue.yaml")),
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        case EMPTY -> Files.write(file, new byte[0]);
        default -> throw new IllegalStateException(unusable.name());
      }

      await("a WARN line names the file and the reason")
          .atMost(CONVERGENCE_BOUND)
          .untilAsserted(
              () ->
                  assertThat(warningsAbout(file))
                      .singleElement()
                      .satisfies(
                          line ->
                              assertThat(line)
                                  .contains(unusable.reason)
                                  .contains("its last good content keeps serving")));
      // Past the removal grace period and a periodic rescan: nothing is dropped later, nothing is
      // logged again.
      await("Envoy keeps serving the last good content")
          .during(StandaloneOptions.DEFAULT_RESCAN.plusSeconds(1))
          .atMost(StandaloneOptions.DEFAULT_RESCAN.plusSeconds(5))
          .untilAsserted(traffic::assertNoneFailed);
      traffic.assertAllServed(20);
    }
    assertThat(warningsAbout(file)).hasSize(1);
  }

  /** How a file is replaced with new content. */
  enum Replacement {
    /** Deleted, then written again once Fairlead has seen the deletion. */
    DELETED_AND_WRITTEN_AGAIN,
    /** Written under a hidden name and renamed over the file, as the editors of this test save. */
    RENAMED_OVER_FROM_A_HIDDEN_NAME,
    /**
     * Written under another configuration file's name, briefly defining its objects twice, and
     * renamed over.
     */
    RENAMED_OVER_FROM_A_CONFIGURATION_NAME
  }

  static List<org.junit.jupiter.params.provider.Arguments> replacements() {
    List<org.junit.jupiter.params.provider.Arguments> all = new ArrayList<>();
    for (Replacement replacement : Replacement.values()) {
      for (AdsMode mode : AdsMode.values()) {
        all.add(org.junit.jupiter.params.provider.Arguments.of(replacement, mode));
      }
    }
    return all;
  }

  @ParameterizedTest
  @MethodSource("replacements")
  void aReplacedFileIsServedWithoutAGap(Replacement replacement, AdsMode mode) throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend blue2 = backends.http("blue-2");
    serveOnlyBlue(blue, mode);
    String replaced = staticUpstream("blue", blue2);
    long servedMillis;

    try (Traffic traffic = new Traffic(List.of("blue", "blue-2"))) {
      long start = System.nanoTime();
      switch (replacement) {
        case DELETED_AND_WRITTEN_AGAIN -> {
          long published = fairlead.controlPlane().publishedConfigurations();
          Files.delete(config.resolve("blue.yaml"));
          await("Fairlead sees the deletion")
              .atMost(CONVERGENCE_BOUND)
              .pollInterval(Duration.ofMillis(5))
              .until(() -> fairlead.controlPlane().publishedConfigurations() > published);
          Files.writeString(config.resolve("blue.yaml"), replaced);
        }
        case RENAMED_OVER_FROM_A_HIDDEN_NAME -> write("blue.yaml", replaced);
        case RENAMED_OVER_FROM_A_CONFIGURATION_NAME -> {
          Path aside = config.resolve("blue-new.yaml");
          Files.writeString(aside, replaced);
          Files.move(
              aside,
              config.resolve("blue.yaml"),
              java.nio.file.StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
        default -> throw new IllegalStateException(replacement.name());
      }
      await("Envoy serves the new content")
          .atMost(CONVERGENCE_BOUND)
          .pollInterval(Duration.ofMillis(10))
          .until(() -> traffic.lastAnswer().equals("blue-2"));
      servedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.println(
          "REPLACEMENT "
              + replacement
              + " "
              + mode
              + ": new content served after "
              + servedMillis
              + " ms");
      // Past the removal grace period: whatever disappeared for a moment is never served as
      // removed.
      await("Envoy keeps serving")
          .during(StandaloneOptions.DEFAULT_REMOVAL_GRACE.plusSeconds(1))
          .atMost(StandaloneOptions.DEFAULT_REMOVAL_GRACE.plusSeconds(5))
          .untilAsserted(traffic::assertNoneFailed);
      traffic.assertAllServed(20);
    }
    assertThat(servedMillis).isLessThan(StandaloneOptions.DEFAULT_RESCAN.toMillis());
    assertThat(get("/")).isEqualTo("blue-2");
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void anInvalidUpstreamIsRejectedWithAReasonWhileTheRestKeepsServing(AdsMode mode)
      throws Exception {
    HttpBackend blue = backends.http("blue");
    write("blue.yaml", staticUpstream("blue", blue));
    write(
        "broken.yaml",
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: broken}
        spec:
          static: {hosts: [{address: 127.0.0.1, port: 0}]}
        """);
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - matches: [{path: {type: PathPrefix, value: /broken}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: broken}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    startFairleadAndEnvoy(mode);

    assertThat(get("/")).isEqualTo("blue");
    assertThat(send("/broken", Map.of()).statusCode()).isEqualTo(500);
    Verdict broken =
        fairlead.lastTranslation().verdicts().stream()
            .filter(v -> v.object().kind().equals("Upstream") && v.object().name().equals("broken"))
            .findFirst()
            .orElseThrow();
    assertThat(broken.accepted())
        .isInstanceOfSatisfying(
            Condition.False.class,
            no -> assertThat(no.message()).contains("spec.static.hosts[0].port"));
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void aListenerEnvoyCannotBindIsRecordedAsItsRejectionAndClearsWhenFixed(AdsMode mode)
      throws Exception {
    serveOnlyBlue(backends.http("blue"), mode);
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      write(
          "gateway.yaml",
          gateway().replace("port: " + listenerPort, "port: " + taken.getLocalPort()));

      await("Envoy rejects the listener it cannot bind")
          .atMost(CONVERGENCE_BOUND)
          .untilAsserted(
              () ->
                  assertThat(fairlead.controlPlane().streams().currentNacks())
                      .singleElement()
                      .satisfies(
                          nack -> {
                            assertThat(nack.type())
                                .isEqualTo(dev.fairlead.xds.cache.ResourceType.LISTENER);
                            assertThat(nack.resourceNames())
                                .contains("http-" + taken.getLocalPort());
                            assertThat(nack.message()).contains("Address already in use");
                          }));
      assertThat(get("/")).as("the last accepted listener keeps serving").isEqualTo("blue");

      AdminClient admin = new AdminClient(fairlead.adminPort());
      JsonNode lds = admin.json("/debug/proxies").path("proxies").get(0).path("types").path("LDS");
      assertThat(lds.path("rejected").asBoolean()).isTrue();
      assertThat(lds.path("lastNack").path("message").asText()).contains("Address already in use");
      assertThat(lds.path("lastNack").path("resources").toString())
          .contains("http-" + taken.getLocalPort());
      assertThat(java.time.Instant.parse(lds.path("lastNack").path("at").asText()))
          .isBetween(java.time.Instant.now().minusSeconds(60), java.time.Instant.now());
      assertThat(admin.metric("fairlead_xds_nacks_total", Map.of("type", "LDS")))
          .isGreaterThanOrEqualTo(1);
      assertThat(admin.metric("fairlead_xds_nacks_total", Map.of("type", "CDS"))).isZero();
      await("proxy-status shows the listener rejected")
          .atMost(CONVERGENCE_BOUND)
          .untilAsserted(
              () ->
                  assertThat(admin.proxyStatus().out())
                      .containsPattern(
                          "edge-"
                              + mode
                              + "\\s+"
                              + FLEET
                              + "\\s+"
                              + mode
                              + "\\s+SYNCED\\s+SYNCED\\s+NACKED\\s+SYNCED"));
    }
    write("gateway.yaml", gateway());
    await("the rejection clears once Envoy accepts a later version")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () -> assertThat(fairlead.controlPlane().streams().currentNacks()).isEmpty());
    // Envoy removed the old listener while rejecting the update (it drains for a second): it is
    // sent again.
    await("the fixed listener serves")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> get("/").equals("blue"));
    AdminClient admin = new AdminClient(fairlead.adminPort());
    await("proxy-status shows the listener accepted again")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () ->
                assertThat(admin.proxyStatus().out())
                    .containsPattern("edge-" + mode + "\\s+\\S+\\s+\\S+(\\s+SYNCED){4}"));
    assertThat(
            admin
                .json("/debug/proxies")
                .path("proxies")
                .get(0)
                .path("types")
                .path("LDS")
                .path("lastNack")
                .path("message")
                .asText())
        .as("the last NACK is kept after it clears")
        .contains("Address already in use");
    // Left without a listener, Envoy asks for no routes: answering that with every route would
    // loop.
    assertThat(
            admin.metric(
                "fairlead_xds_pushes_total",
                Map.of("type", "RDS", "mode", mode == AdsMode.DELTA ? "delta" : "sotw")))
        .isLessThan(10);
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void theAdminServerDescribesTheConnectedEnvoyAndItsConvergence(AdsMode mode) throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend blue2 = backends.http("blue-2");
    serveOnlyBlue(blue, mode);
    AdminClient admin = new AdminClient(fairlead.adminPort());
    String node = "edge-" + mode;
    String modeTag = mode == AdsMode.DELTA ? "delta" : "sotw";
    String otherMode = mode == AdsMode.DELTA ? "sotw" : "delta";

    assertThat(admin.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(admin.get("/readyz").statusCode()).isEqualTo(200);
    await("Envoy acknowledges every type it was sent")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () -> {
              JsonNode proxy = admin.json("/debug/proxies").path("proxies").get(0);
              assertThat(proxy.path("nodeId").asText()).isEqualTo(node);
              assertThat(proxy.path("fleet").asText()).isEqualTo(FLEET);
              assertThat(proxy.path("mode").asText()).isEqualTo(modeTag);
              assertThat(proxy.path("audience").asText()).isEqualTo("envoy");
              for (String type : TYPES) {
                JsonNode state = proxy.path("types").path(type);
                assertThat(state.path("acked").isTextual()).as(type + " acked").isTrue();
                assertThat(state.path("acked")).as(type).isEqualTo(state.path("sent"));
                assertThat(state.path("rejected").asBoolean()).isFalse();
              }
            });
    assertThat(admin.json("/debug/proxies").path("proxies")).hasSize(1);
    for (String type : TYPES) {
      assertThat(admin.metric("fairlead_xds_streams", Map.of("type", type, "mode", modeTag)))
          .as(type)
          .isEqualTo(1);
      assertThat(admin.metric("fairlead_xds_streams", Map.of("type", type, "mode", otherMode)))
          .as(type)
          .isZero();
      assertThat(admin.metric("fairlead_xds_pushes_total", Map.of("type", type, "mode", modeTag)))
          .as(type)
          .isGreaterThanOrEqualTo(1);
    }

    write("blue.yaml", staticUpstream("blue", blue, blue2));
    await("the change's convergence is recorded once Envoy acknowledges it")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () ->
                assertThat(
                        admin.metric(
                            "fairlead_xds_convergence_seconds_count", Map.of("type", "EDS")))
                    .isGreaterThanOrEqualTo(1));
    double seconds =
        admin.metric("fairlead_xds_convergence_seconds_sum", Map.of("type", "EDS"))
            / admin.metric("fairlead_xds_convergence_seconds_count", Map.of("type", "EDS"));
    assertThat(seconds).isBetween(0.0, (double) CONVERGENCE_BOUND.toSeconds());
    assertThat(
            admin.metric(
                "fairlead_xds_convergence_seconds_bucket", Map.of("type", "EDS", "le", "+Inf")))
        .isGreaterThanOrEqualTo(1);
    assertThat(admin.metric("fairlead_translation_seconds_count", Map.of()))
        .isGreaterThanOrEqualTo(2);
    System.out.printf(
        "CONVERGENCE %s file change to Envoy's EDS ACK, as fairlead_xds_convergence_seconds: %.1f ms%n",
        mode, seconds * 1000);

    JsonNode dump = admin.json("/debug/config_dump?node=" + node);
    assertThat(dump.path("fleet").asText()).isEqualTo(FLEET);
    assertThat(dump.path("clusters").path("resources").findValuesAsText("name"))
        .contains("upstream/default/blue");
    assertThat(dump.path("clusters").path("version").asText()).isNotEmpty();
    assertThat(dump.path("listeners").path("resources").findValuesAsText("name"))
        .contains("http-" + listenerPort);
    assertThat(dump.path("listeners").toString())
        .as("Anys printed through the type registry")
        .contains(
            "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
    assertThat(dump.path("endpoints").toString()).contains(String.valueOf(blue2.port()));
    assertThat(dump.path("routes").path("resources").size()).isPositive();
    HttpResponse<String> noNode = admin.get("/debug/config_dump");
    assertThat(noNode.statusCode()).isEqualTo(400);
    assertThat(noNode.body()).contains(node);

    await("proxy-status shows the Envoy in sync")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () -> {
              AdminClient.Run status = admin.proxyStatus();
              assertThat(status.exit()).as(status.err()).isZero();
              assertThat(status.out())
                  .startsWith("NAME")
                  .containsPattern(node + "\\s+" + FLEET + "\\s+" + mode + "(\\s+SYNCED){4}");
            });
    System.out.print(admin.proxyStatus().out());
  }

  @Test
  void aRestartWithConnectedDeltaClientsLeavesNoStaleResources() throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend green = backends.http("green");
    write("blue.yaml", staticUpstream("blue", blue));
    write("green.yaml", staticUpstream("green", green));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - matches: [{path: {type: PathPrefix, value: /green}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    EnvoyProcess envoy = startFairleadAndEnvoy(AdsMode.DELTA);
    assertThat(get("/green")).isEqualTo("green");
    int xdsPort = fairlead.xdsPort();

    fairlead.close();
    Files.delete(config.resolve("green.yaml"));
    write(
        "routes.yaml",
        route(
            "web",
            """
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(
                config, "127.0.0.1", xdsPort, ServerTransport.plaintext(), "127.0.0.1"));

    await("Envoy drops what the restarted Fairlead no longer has")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () -> assertThat(envoy.configDump()).doesNotContain("upstream/default/green"));
    assertThat(envoy.configDump()).contains("upstream/default/blue");
    assertThat(get("/green")).isEqualTo("blue");
  }

  @Test
  void anEnvoyWithACertificateOfTheCaIsServedOverMutualTlsAndOneWithoutIsRefused(@TempDir Path tls)
      throws Exception {
    TestCa ca = TestCa.create("e2e-ca");
    ca.writeCertificate(tls.resolve("ca.crt"));
    ca.issue("fairlead").write(tls.resolve("xds.crt"), tls.resolve("xds.key"));
    ca.issue("edge-mtls").write(tls.resolve("envoy.crt"), tls.resolve("envoy.key"));
    write("blue.yaml", staticUpstream("blue", backends.http("blue")));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(
                config,
                "127.0.0.1",
                0,
                ServerTransport.tls(
                    TlsFiles.of(
                        tls.resolve("xds.crt"),
                        tls.resolve("xds.key"),
                        Optional.of(tls.resolve("ca.crt")))),
                "127.0.0.1"));

    envoys
        .start(
            EnvoyBootstrap.ads(fairlead.xdsPort(), AdsMode.DELTA)
                .withNode("edge-mtls", FLEET)
                .withXdsTls(
                    tls.resolve("ca.crt"), tls.resolve("envoy.crt"), tls.resolve("envoy.key")))
        .awaitReady(Duration.ofSeconds(60));
    await("Envoy routes traffic")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> get("/").equals("blue"));

    EnvoyProcess stranger =
        envoys.start(
            EnvoyBootstrap.ads(fairlead.xdsPort(), AdsMode.DELTA)
                .withNode("no-certificate", FLEET)
                .withXdsTls(tls.resolve("ca.crt")));
    await("the Envoy without a certificate fails its TLS handshakes")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(() -> counter(stranger, "cluster.ads_cluster.ssl.connection_error") >= 2);
    assertThat(stranger.isReady()).isFalse();
    assertThat(fairlead.controlPlane().streams().proxies())
        .extracting(ProxyStatus::nodeId)
        .containsExactly("edge-mtls");
  }

  /** A counter from Envoy's {@code /stats}; 0 until it appears. */
  private static long counter(EnvoyProcess envoy, String name) {
    return envoy
        .admin("/stats?filter=ads_cluster")
        .body()
        .lines()
        .filter(line -> line.startsWith(name + ": "))
        .mapToLong(line -> Long.parseLong(line.substring(name.length() + 2).strip()))
        .findFirst()
        .orElse(0);
  }

  @Test
  void grpcsOwnXdsClientResolvesThroughFairleadAndCallsTheBackend() throws Exception {
    GrpcBackend violet = backends.grpc("violet");
    write(
        "violet.yaml",
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: violet}
        spec:
          protocol: GRPC
          static: {hosts: [{address: 127.0.0.1, port: %d}]}
        """
            .formatted(violet.port()));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: violet}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [violet.test]
          rules:
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: violet}]
        """);
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"));
    Map<String, Object> bootstrap =
        Map.of(
            "xds_servers",
                List.of(
                    Map.of(
                        "server_uri", "127.0.0.1:" + fairlead.xdsPort(),
                        "channel_creds", List.of(Map.of("type", "insecure")),
                        "server_features", List.of("xds_v3"))),
            "node", Map.of("id", "grpc-client", "cluster", FLEET));
    XdsNameResolverProvider resolver = XdsNameResolverProvider.createForTest("xds-e2e", bootstrap);
    ManagedChannel channel =
        Grpc.newChannelBuilder("xds-e2e:///violet.test", InsecureChannelCredentials.create())
            .nameResolverFactory(resolver)
            .build();
    try {
      await("gRPC xDS client reaches violet")
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .untilAsserted(() -> assertThat(GrpcBackend.whoAmI(channel)).isEqualTo("violet"));
      assertThat(violet.calls()).isPositive();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void regularExpressionMatchesRouteAndARuleEnvoyCouldNotCompileIsDroppedAlone() throws Exception {
    HttpBackend blue = backends.http("blue");
    HttpBackend green = backends.http("green");
    write(
        "upstreams.yaml", staticUpstream("blue", blue) + "---\n" + staticUpstream("green", green));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - matches: [{path: {type: RegularExpression, value: "/users/[0-9]+/orders"}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - matches:
            - headers: [{type: RegularExpression, name: x-tenant, value: "(blue|green)-[a-z]+"}]
            - queryParams: [{type: RegularExpression, name: page, value: "[0-9]{1,3}"}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - matches: [{path: {type: RegularExpression, value: "/(a)\\\\1"}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: green}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    startFairleadAndEnvoy(AdsMode.DELTA);

    assertThat(get("/users/42/orders")).isEqualTo("green");
    assertThat(get("/users/42/orders/7")).isEqualTo("blue");
    assertThat(get("/users/x/orders")).isEqualTo("blue");
    assertThat(send("/", Map.of("x-tenant", "green-eu")).body()).isEqualTo("green\n");
    assertThat(send("/", Map.of("x-tenant", "green-EU")).body()).isEqualTo("blue\n");
    assertThat(get("/?page=12")).isEqualTo("green");
    assertThat(get("/?page=1234")).isEqualTo("blue");
    assertThat(get("/aa")).isEqualTo("blue");
    Verdict web =
        fairlead.lastTranslation().verdicts().stream()
            .filter(v -> v.object().kind().equals("HTTPRoute") && v.object().name().equals("web"))
            .findFirst()
            .orElseThrow();
    assertThat(web.accepted().isTrue()).isTrue();
    assertThat(web.partiallyInvalid())
        .hasValueSatisfying(
            partly ->
                assertThat(partly.message())
                    .startsWith(
                        "Dropped Rule spec.rules[2]: spec.rules[2].matches[0].path.value: not a valid RE2"));
  }

  @Test
  void aMirroredRequestReachesTheMirrorBackendWhileTheAnswerComesFromTheRoutesBackend()
      throws Exception {
    HttpBackend app = backends.http("app");
    HttpBackend shadow = backends.http("shadow");
    write(
        "upstreams.yaml", staticUpstream("app", app) + "---\n" + staticUpstream("shadow", shadow));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - matches: [{path: {type: PathPrefix, value: /mirrored}}]
            filters:
            - type: RequestMirror
              requestMirror: {backendRef: {group: fairlead.dev, kind: Upstream, name: shadow}}
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
          - matches: [{path: {type: PathPrefix, value: /never}}]
            filters:
            - type: RequestMirror
              requestMirror: {backendRef: {group: fairlead.dev, kind: Upstream, name: shadow}, percent: 0}
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
        """));
    startFairleadAndEnvoy(AdsMode.SOTW);
    long before = shadow.requests();

    for (int i = 0; i < 5; i++) {
      assertThat(get("/never/" + i)).isEqualTo("app");
    }
    assertThat(get("/mirrored/x?q=1")).isEqualTo("app");
    await("the copy reaches the mirror")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(() -> assertThat(shadow.requests()).isEqualTo(before + 1));
    HttpBackend.Request copy = shadow.lastRequest().orElseThrow();
    assertThat(copy.target()).isEqualTo("/mirrored/x?q=1");
    // Envoy marks the copy by suffixing the Host's name with "-shadow", before any port.
    assertThat(copy.header("host"))
        .hasValueSatisfying(host -> assertThat(host).matches("[^:]+-shadow(:[0-9]+)?"));
  }

  @Test
  void aWebSocketUpgradesThroughTheGatewayAndCarriesMessagesBothWays() throws Exception {
    io.vertx.core.Vertx vertx = io.vertx.core.Vertx.vertx();
    try {
      io.vertx.core.http.HttpServer echo =
          vertx
              .createHttpServer()
              .webSocketHandler(
                  socket ->
                      socket.textMessageHandler(text -> socket.writeTextMessage("echo: " + text)))
              .requestHandler(request -> request.response().setStatusCode(426).end())
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      write(
          "upstreams.yaml",
          """
          apiVersion: fairlead.dev/v1alpha1
          kind: Upstream
          metadata: {name: echo}
          spec:
            static: {hosts: [{address: 127.0.0.1, port: %d}]}
          """
              .formatted(echo.actualPort()));
      write("gateway.yaml", gateway());
      write(
          "routes.yaml",
          route(
              "web",
              """
            - backendRefs: [{group: fairlead.dev, kind: Upstream, name: echo}]
          """));
      startFairleadAndEnvoy(AdsMode.DELTA);

      java.util.concurrent.BlockingQueue<String> received =
          new java.util.concurrent.LinkedBlockingQueue<>();
      java.net.http.WebSocket socket =
          http.newWebSocketBuilder()
              .buildAsync(
                  URI.create("ws://127.0.0.1:" + listenerPort + "/chat"),
                  new java.net.http.WebSocket.Listener() {
                    @Override
                    public java.util.concurrent.CompletionStage<?> onText(
                        java.net.http.WebSocket webSocket, CharSequence data, boolean last) {
                      received.add(data.toString());
                      webSocket.request(1);
                      return null;
                    }
                  })
              .get(10, TimeUnit.SECONDS);
      socket.sendText("hello", true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello");
      socket.sendText("again", true).get(5, TimeUnit.SECONDS);
      assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: again");
      socket.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "done").get(5, TimeUnit.SECONDS);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void
      aGrpcRouteSendsCallsToTheBackendsItsMethodAndHeaderMatchesChooseThroughEnvoyAndGrpcsXdsClient()
          throws Exception {
    GrpcBackend violet = backends.grpc("violet");
    GrpcBackend indigo = backends.grpc("indigo");
    write(
        "upstreams.yaml",
        grpcUpstream("violet", violet) + "---\n" + grpcUpstream("indigo", indigo));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: identity}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [grpc.test]
          rules:
          - matches:
            - method: {service: fairlead.testkit.Identity, method: WhoAmI}
              headers: [{name: x-pick, value: indigo}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: indigo}]
          - matches:
            - method: {type: RegularExpression, service: "fairlead\\\\.testkit\\\\..*"}
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: violet}]
          - matches: [{method: {service: "1 bad"}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: indigo}]
        """);
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"));
    envoys
        .start(EnvoyBootstrap.ads(fairlead.xdsPort(), AdsMode.DELTA).withNode("edge-grpc", FLEET))
        .awaitReady(Duration.ofSeconds(60));
    ManagedChannel envoy =
        Grpc.newChannelBuilder("127.0.0.1:" + listenerPort, InsecureChannelCredentials.create())
            .overrideAuthority("grpc.test")
            .build();
    Map<String, Object> bootstrap =
        Map.of(
            "xds_servers",
                List.of(
                    Map.of(
                        "server_uri", "127.0.0.1:" + fairlead.xdsPort(),
                        "channel_creds", List.of(Map.of("type", "insecure")),
                        "server_features", List.of("xds_v3"))),
            "node", Map.of("id", "grpc-route-client", "cluster", FLEET));
    ManagedChannel xds =
        Grpc.newChannelBuilder("xds-grpcroute:///grpc.test", InsecureChannelCredentials.create())
            .nameResolverFactory(XdsNameResolverProvider.createForTest("xds-grpcroute", bootstrap))
            .build();
    try {
      for (ManagedChannel channel : List.of(envoy, xds)) {
        await("calls reach violet")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(GrpcBackend.whoAmI(channel)).isEqualTo("violet"));
        io.grpc.Metadata pick = new io.grpc.Metadata();
        pick.put(
            io.grpc.Metadata.Key.of("x-pick", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "indigo");
        assertThat(
                GrpcBackend.whoAmI(
                    io.grpc.ClientInterceptors.intercept(
                        channel, io.grpc.stub.MetadataUtils.newAttachHeadersInterceptor(pick))))
            .isEqualTo("indigo");
      }
      Verdict identity =
          fairlead.lastTranslation().verdicts().stream()
              .filter(v -> v.object().kind().equals("GRPCRoute"))
              .findFirst()
              .orElseThrow();
      assertThat(identity.accepted().isTrue()).isTrue();
      assertThat(identity.partiallyInvalid())
          .hasValueSatisfying(
              partly ->
                  assertThat(partly.message())
                      .startsWith(
                          "Dropped Rule spec.rules[2]: spec.rules[2].matches[0].method.service: must be a gRPC service"));
    } finally {
      envoy.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      xds.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String grpcUpstream(String name, GrpcBackend backend) {
    return """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: %s}
        spec:
          protocol: GRPC
          static: {hosts: [{address: 127.0.0.1, port: %d}]}
        """
        .formatted(name, backend.port());
  }

  /** Every request to {@code blue}, served to an Envoy in {@code mode}. */
  private void serveOnlyBlue(HttpBackend blue, AdsMode mode) throws IOException {
    write("blue.yaml", staticUpstream("blue", blue));
    write("gateway.yaml", gateway());
    write(
        "routes.yaml",
        route(
            "web",
            """
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    startFairleadAndEnvoy(mode);
  }

  @Test
  void aGatewayWithoutAClassOfFairleadsInTheDirectoryIsNotServedAndItsFileIsNamed()
      throws Exception {
    HttpBackend blue = backends.http("blue");
    write("upstreams.yaml", staticUpstream("blue", blue));
    write(
        "routes.yaml",
        route(
            "web",
            """
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));
    write(
        "gateway.yaml",
        gateway().replace("gatewayClassName: fairlead", "gatewayClassName: elsewhere"));
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"));

    assertThat(fairlead.lastTranslation().fleets()).isEmpty();
    await("the Gateway's file and line named")
        .atMost(CONVERGENCE_BOUND)
        .untilAsserted(
            () ->
                assertThat(logs.lines())
                    .anyMatch(
                        line ->
                            line.contains(
                                config.resolve("gateway.yaml")
                                    + ":6: Gateway "
                                    + "default/edge is not served: its gatewayClassName elsewhere names no accepted GatewayClass with "
                                    + "controllerName fairlead.dev/gateway-controller")));

    write("gateway.yaml", gateway());
    envoys
        .start(
            EnvoyBootstrap.ads(fairlead.xdsPort(), AdsMode.DELTA).withNode("edge-classed", FLEET))
        .awaitReady(Duration.ofSeconds(60));
    await("served once its class is Fairlead's")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(get("/")).isEqualTo("blue"));
  }

  private EnvoyProcess startFairleadAndEnvoy(AdsMode mode) {
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"));
    EnvoyProcess envoy =
        envoys
            .start(EnvoyBootstrap.ads(fairlead.xdsPort(), mode).withNode("edge-" + mode, FLEET))
            .awaitReady(Duration.ofSeconds(60));
    await("Envoy routes traffic")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> send("/", Map.of()).statusCode() != 404);
    return envoy;
  }

  /**
   * Polls until the condition holds and returns how long that took; bounded by {@link
   * #CONVERGENCE_BOUND}.
   */
  private long timeUntil(BooleanSupplier condition) {
    long start = System.nanoTime();
    await()
        .atMost(CONVERGENCE_BOUND)
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(10))
        .ignoreExceptions()
        .until(condition::getAsBoolean);
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private boolean allOf(int requests, String backend) {
    for (int i = 0; i < requests; i++) {
      if (!get("/").equals(backend)) {
        return false;
      }
    }
    return true;
  }

  private String get(String path) {
    HttpResponse<String> response = send(path, Map.of());
    return response
        .headers()
        .firstValue(HttpBackend.IDENTITY_HEADER)
        .orElse("status " + response.statusCode());
  }

  private HttpResponse<String> send(String path, Map<String, String> headers) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path))
            .timeout(Duration.ofSeconds(5));
    headers.forEach(request::header);
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The status line and headers of a GET with the Host header {@code host}, which HttpClient cannot
   * set.
   */
  private String rawGet(String path, String host) throws IOException {
    try (java.net.Socket socket =
        new java.net.Socket(java.net.InetAddress.getLoopbackAddress(), listenerPort)) {
      socket.setSoTimeout(5000);
      socket
          .getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return response
          .substring(0, Math.max(0, response.indexOf("\r\n\r\n")))
          .toLowerCase(java.util.Locale.ROOT);
    }
  }

  private void write(String file, String content) throws IOException {
    write(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Writes under a hidden name and renames over {@code file}, so Fairlead never reads it
   * half-written.
   */
  private void write(String file, byte[] content) throws IOException {
    Path target = config.resolve(file);
    Path temp = config.resolve("." + file + ".tmp");
    Files.write(temp, content);
    Files.move(
        temp,
        target,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** The WARN lines naming {@code file}. */
  private List<String> warningsAbout(Path file) {
    return logs.lines().stream()
        .filter(line -> line.startsWith("WARN") && line.contains(file.toString()))
        .toList();
  }

  /**
   * Requests to the listener one after another, from its own thread, until closed; each answer not
   * from one of the expected backends is a failure.
   */
  private final class Traffic implements AutoCloseable {
    private final List<String> expected;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final LongAdder sent = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile String lastAnswer = "";
    private final Thread thread;

    Traffic(List<String> expected) {
      this.expected = expected;
      this.thread = new Thread(this::run, "traffic");
      thread.start();
    }

    private void run() {
      long start = System.nanoTime();
      while (!stop.get()) {
        String answer;
        try {
          answer = get("/");
        } catch (RuntimeException e) {
          answer = e.toString();
        }
        sent.increment();
        lastAnswer = answer;
        if (!expected.contains(answer)) {
          failed.increment();
          if (failures.size() < 10) {
            failures.add(
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms: " + answer);
          }
        }
      }
    }

    long sent() {
      return sent.sum();
    }

    long failed() {
      return failed.sum();
    }

    String lastAnswer() {
      return lastAnswer;
    }

    /** Every request so far was answered by an expected backend. */
    void assertNoneFailed() {
      assertThat(failed())
          .as("failed requests of %d, the first ones: %s", sent(), failures)
          .isZero();
    }

    /**
     * At least {@code minimum} requests were sent, and each was answered by an expected backend.
     */
    void assertAllServed(int minimum) {
      assertNoneFailed();
      assertThat(sent()).isGreaterThanOrEqualTo(minimum);
      System.out.println("TRAFFIC " + sent() + " requests, none failed");
    }

    @Override
    public void close() throws InterruptedException {
      stop.set(true);
      thread.join(Duration.ofSeconds(10).toMillis());
    }
  }

  /** Gateway {@code edge} and, in the same file, the GatewayClass that makes it Fairlead's. */
  private String gateway() {
    return E2eObjects.GATEWAY_CLASS
        + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge}
        spec:
          gatewayClassName: fairlead
          listeners:
          - {name: http, port: %d, protocol: HTTP}
        """
            .formatted(listenerPort);
  }

  private static String route(String name, String rules) {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: %s}
        spec:
          parentRefs: [{name: edge}]
          rules:
        %s"""
        .formatted(name, rules);
  }

  private static String weightedRoute(int blue, int green) {
    return route(
        "web",
        """
          - backendRefs:
            - {group: fairlead.dev, kind: Upstream, name: blue, weight: %d}
            - {group: fairlead.dev, kind: Upstream, name: green, weight: %d}
        """
            .formatted(blue, green));
  }

  private static String staticUpstream(String name, HttpBackend... hosts) {
    StringBuilder list = new StringBuilder();
    for (HttpBackend host : hosts) {
      list.append("    - {address: 127.0.0.1, port: ").append(host.port()).append("}\n");
    }
    return """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: %s}
        spec:
          connectTimeout: 1s
          static:
            hosts:
        %s"""
        .formatted(name, list);
  }
}
