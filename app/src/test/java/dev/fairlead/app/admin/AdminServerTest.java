package dev.fairlead.app.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.app.StandaloneFairlead;
import dev.fairlead.app.StandaloneOptions;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.StreamRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin server over real HTTP on 127.0.0.1: alone with a readiness of the test's, and in a
 * standalone Fairlead.
 */
class AdminServerTest {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path config;

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @Test
  void readyzAnswers503WithWhatItWaitsForUntilEveryConditionHolds() throws Exception {
    AtomicBoolean synced = new AtomicBoolean();
    Readiness readiness = new Readiness();
    StreamRegistry streams = new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
    try (AdminServer admin =
        AdminServer.start(
            "127.0.0.1", 0, readiness, streams, new XdsCache(), new SimpleMeterRegistry())) {
      assertThat(get(admin.port(), "/healthz").statusCode()).isEqualTo(200);
      HttpResponse<String> starting = get(admin.port(), "/readyz");
      assertThat(starting.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(starting.body()).path("waitingFor").get(0).asText())
          .isEqualTo(Readiness.STARTING);

      readiness.require("informers", "not every informer has synced yet", synced::get).started();
      HttpResponse<String> waiting = get(admin.port(), "/readyz");
      assertThat(waiting.statusCode()).isEqualTo(503);
      assertThat(waiting.body()).contains("informers: not every informer has synced yet");

      synced.set(true);
      HttpResponse<String> ready = get(admin.port(), "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      assertThat(JSON.readTree(ready.body()).path("ready").asBoolean()).isTrue();
      assertThat(get(admin.port(), "/metrics").statusCode())
          .as("no Prometheus registry to show")
          .isEqualTo(404);
    }
  }

  @Test
  void anUnknownPathOrMethodIsAnsweredWithAJsonErrorAndLogsNothingAtError() throws Exception {
    StreamRegistry streams = new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
    try (AdminServer admin =
        AdminServer.start(
            "127.0.0.1", 0, new Readiness(), streams, new XdsCache(), new SimpleMeterRegistry())) {
      HttpResponse<String> unknown = get(admin.port(), "/nothing/here");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(JSON.readTree(unknown.body()).path("code").asInt()).isEqualTo(404);
      assertThat(JSON.readTree(unknown.body()).path("message").asText())
          .startsWith("no resource at /nothing/here; this server serves /healthz");

      HttpResponse<String> posted =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/readyz"))
                  .POST(HttpRequest.BodyPublishers.ofString("{}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(posted.statusCode()).isEqualTo(405);
      assertThat(posted.headers().firstValue("content-type")).hasValue("application/json");
      assertThat(JSON.readTree(posted.body()).path("code").asInt()).isEqualTo(405);
      assertThat(JSON.readTree(posted.body()).path("message").asText())
          .isEqualTo("method POST is not allowed on /readyz; this server answers GET");
    }
    assertThat(logs.lines())
        .noneMatch(line -> line.startsWith("ERROR") || line.startsWith("SEVERE"));
  }

  /**
   * A server stopped while {@code /metrics} is being answered on a worker thread logs nothing at
   * ERROR (no {@code io.vertx.core.impl.ContextImpl - Unhandled exception ...
   * RejectedExecutionException}): stopping a replica is routine.
   */
  @Test
  void aScrapeInFlightWhenTheServerStopsLogsNoError() throws Exception {
    CountDownLatch scraping = new CountDownLatch(1);
    CountDownLatch stopped = new CountDownLatch(1);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Gauge.builder(
            "slow_gauge",
            () -> {
              scraping.countDown();
              awaitIgnoringInterrupts(stopped);
              return 1.0;
            })
        .register(registry);
    StreamRegistry streams = new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
    AdminServer admin =
        AdminServer.start("127.0.0.1", 0, new Readiness(), streams, new XdsCache(), registry);
    CompletableFuture<HttpResponse<String>> scrape =
        HTTP.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.port() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(scraping.await(10, TimeUnit.SECONDS)).as("the scrape reached the gauge").isTrue();

    admin.close();
    stopped.countDown();

    await("the answer of the stopped server, dropped without an ERROR line")
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> logs.lines().stream().noneMatch(line -> line.startsWith("ERROR")));
    await("the client is not left waiting").atMost(Duration.ofSeconds(10)).until(scrape::isDone);
  }

  /** Waits for {@code latch} up to 20 s, through the interrupts of a closing worker pool. */
  private static void awaitIgnoringInterrupts(CountDownLatch latch) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (latch.getCount() > 0 && System.nanoTime() < deadline) {
      try {
        latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        // the worker pool shutting down: keep the request in flight, as a slow scrape would be
      }
    }
  }

  @Test
  void aStandaloneFairleadServesHealthReadinessMetricsAndDebugDocuments() throws Exception {
    try (StandaloneFairlead fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(
                config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"))) {
      int port = fairlead.adminPort();

      assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
      assertThat(get(port, "/readyz").statusCode()).isEqualTo(200);
      HttpResponse<String> metrics = get(port, "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
      assertThat(metrics.body())
          .contains("fairlead_translation_seconds_count 1")
          .containsPattern("fairlead_build_info\\{java_version=\"[^\"]+\",version=\"[^\"]+\"} 1")
          .contains("fairlead_xds_streams{mode=\"delta\",type=\"CDS\"} 0")
          .contains("fairlead_xds_pushes_total{mode=\"sotw\",type=\"LDS\"} 0")
          .contains("fairlead_xds_nacks_total{type=\"RDS\"} 0")
          .contains("fairlead_xds_convergence_seconds_bucket{type=\"EDS\",le=\"0.1\"} 0")
          .contains("jvm_memory_used_bytes")
          .contains("jvm_gc_")
          .contains("jvm_threads_live_threads")
          .contains("jvm_classes_loaded_classes")
          .contains("system_cpu_count")
          .contains("process_uptime_seconds");
      JsonNode proxies = JSON.readTree(get(port, "/debug/proxies").body());
      assertThat(proxies.path("proxies").isArray()).isTrue();
      assertThat(proxies.path("proxies").size()).isZero();
      HttpResponse<String> noNode = get(port, "/debug/config_dump");
      assertThat(noNode.statusCode()).isEqualTo(400);
      assertThat(noNode.body()).contains("?node=ID").contains("connected: none");
      HttpResponse<String> unknown = get(port, "/debug/config_dump?node=nobody");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(unknown.body()).contains("no connected proxy has node id nobody");
    }
  }

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
