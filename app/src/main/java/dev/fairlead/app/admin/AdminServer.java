package dev.fairlead.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.ProxyStatus;
import dev.fairlead.xds.server.StreamRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP server:
 *
 * <ul>
 *   <li>{@code GET /healthz}: 200 while the process serves;
 *   <li>{@code GET /readyz}: 200 once {@link Readiness} says so, else 503 with what it waits for
 *       (JSON);
 *   <li>{@code GET /metrics}: every meter in Prometheus' text format;
 *   <li>{@code GET /debug/proxies}: every connected proxy ({@link ProxiesDocument});
 *   <li>{@code GET /debug/config_dump?node=ID}: what the xDS cache holds for that proxy ({@link
 *       ConfigDump}); without {@code node}, 400 listing the connected node ids; an unknown one, 404
 *       likewise.
 * </ul>
 *
 * Every error, an unknown path (404) or method (405) included, is JSON {@code {"code", "message"}};
 * only a fault of the server (500) is logged, at ERROR, and its details stay out of the answer.
 * Port 0 picks a free port; {@link #port()} says which. Closing stops it.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
  private static final String JSON = "application/json";
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Vertx vertx;
  private final HttpServer http;

  /** Set first thing in {@link #close()}: see {@link #unhandled}. */
  private final AtomicBoolean closing;

  private AdminServer(Vertx vertx, HttpServer http, AtomicBoolean closing) {
    this.vertx = vertx;
    this.http = http;
    this.closing = closing;
  }

  /**
   * Starts serving on {@code host:port} and returns once it listens.
   *
   * @param registry the meters {@code /metrics} shows: a Prometheus registry, or a composite
   *     holding one
   */
  public static AdminServer start(
      String host,
      int port,
      Readiness readiness,
      StreamRegistry streams,
      XdsCache cache,
      MeterRegistry registry) {
    return start(
        host,
        port,
        readiness,
        streams,
        cache,
        registry,
        () -> ProxiesDocument.of(streams.proxies()));
  }

  /**
   * Starts serving on {@code host:port}, answering {@code /debug/proxies} with what {@code proxies}
   * gives (a {@link ProxiesDocument}), and returns once it listens.
   */
  public static AdminServer start(
      String host,
      int port,
      Readiness readiness,
      StreamRegistry streams,
      XdsCache cache,
      MeterRegistry registry,
      Supplier<ObjectNode> proxies) {
    Routes routes =
        new Routes(
            Objects.requireNonNull(readiness, "readiness"),
            Objects.requireNonNull(streams),
            Objects.requireNonNull(proxies, "proxies"),
            new ConfigDump(Objects.requireNonNull(cache), new AnyTypes(), Routes.MAPPER),
            prometheus(registry));
    AtomicBoolean closing = new AtomicBoolean();
    Vertx vertx = Vertx.vertx();
    vertx.exceptionHandler(failure -> unhandled(closing.get(), failure));
    try {
      HttpServer http =
          vertx
              .createHttpServer()
              .requestHandler(routes.router(vertx))
              .listen(port, host)
              .toCompletionStage()
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      LOG.info("Admin server (health, metrics, debug) listening on {}:{}", host, http.actualPort());
      return new AdminServer(vertx, http, closing);
    } catch (Exception e) {
      vertx.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
      throw new IllegalStateException(
          "Cannot serve the admin API on " + host + ":" + port + ": " + cause, cause);
    }
  }

  private static Optional<PrometheusMeterRegistry> prometheus(MeterRegistry registry) {
    if (registry instanceof PrometheusMeterRegistry prometheus) {
      return Optional.of(prometheus);
    }
    if (registry instanceof CompositeMeterRegistry composite) {
      return composite.getRegistries().stream()
          .map(AdminServer::prometheus)
          .flatMap(Optional::stream)
          .findFirst();
    }
    return Optional.empty();
  }

  public int port() {
    return http.actualPort();
  }

  /**
   * Vert.x's last resort for a failure no handler took. A request still being answered on a worker
   * thread when the server stops completes on an event loop that is gone, and Vert.x rejects it:
   * part of stopping, not an error.
   */
  private static void unhandled(boolean closing, Throwable failure) {
    if (closing && failure instanceof RejectedExecutionException) {
      LOG.debug(
          "A request in flight when the admin server stopped went unanswered: {}",
          failure.toString());
    } else {
      LOG.error("Admin server: a failure no handler took", failure);
    }
  }

  @Override
  public void close() {
    closing.set(true);
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn("Stopping the admin server: {}", e.toString());
    }
  }

  /** The handlers; each runs on a Vert.x thread, those that build documents on worker threads. */
  private record Routes(
      Readiness readiness,
      StreamRegistry streams,
      Supplier<ObjectNode> proxies,
      ConfigDump configDump,
      Optional<PrometheusMeterRegistry> prometheus) {

    static final ObjectMapper MAPPER =
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final String PATHS =
        "/healthz, /readyz, /metrics, /debug/proxies, /debug/config_dump?node=ID";

    /**
     * A failure a handler signalled: a fault of the server, logged at ERROR and answered without
     * its details.
     */
    private static void failed(RoutingContext ctx) {
      LOG.error(
          "Admin server: {} {} failed",
          ctx.request().method(),
          ctx.request().path(),
          ctx.failure());
      error(ctx, 500, "internal error; the server's log says more");
    }

    Router router(Vertx vertx) {
      Router router = Router.router(vertx);
      router
          .get("/healthz")
          .handler(ctx -> ctx.response().putHeader("content-type", "text/plain").end("ok\n"));
      router.get("/readyz").handler(this::ready);
      router.get("/metrics").blockingHandler(this::metrics, false);
      router.get("/debug/proxies").blockingHandler(ctx -> json(ctx, 200, proxies.get()), false);
      router.get("/debug/config_dump").blockingHandler(this::configDump, false);
      router.route().failureHandler(Routes::failed);
      router.errorHandler(
          404,
          ctx ->
              error(
                  ctx,
                  404,
                  "no resource at " + ctx.request().path() + "; this server " + "serves " + PATHS));
      router.errorHandler(
          405,
          ctx ->
              error(
                  ctx,
                  405,
                  "method "
                      + ctx.request().method()
                      + " is not allowed on "
                      + ctx.request().path()
                      + "; this server answers GET"));
      return router;
    }

    private void ready(RoutingContext ctx) {
      Readiness.Status status = readiness.status();
      ObjectNode body = MAPPER.createObjectNode().put("ready", status.ready());
      status.waitingFor().forEach(body.putArray("waitingFor")::add);
      json(ctx, status.ready() ? 200 : 503, body);
    }

    private void metrics(RoutingContext ctx) {
      if (prometheus.isEmpty()) {
        error(ctx, 404, "this process keeps no meters in Prometheus form");
        return;
      }
      ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(prometheus.get().scrape());
    }

    private void configDump(RoutingContext ctx) {
      String node = ctx.queryParams().get("node");
      List<ProxyStatus> proxies = streams.proxies();
      if (node == null || node.isBlank()) {
        error(
            ctx,
            400,
            "give the node id of a connected proxy: ?node=ID; connected: " + nodeIds(proxies));
        return;
      }
      // A proxy that reconnected may briefly have two streams: the newest speaks for it.
      Optional<ProxyStatus> proxy =
          proxies.stream()
              .filter(p -> p.nodeId().equals(node))
              .max(Comparator.comparingLong(ProxyStatus::streamId));
      if (proxy.isEmpty()) {
        error(
            ctx,
            404,
            "no connected proxy has node id " + node + "; connected: " + nodeIds(proxies));
        return;
      }
      json(ctx, 200, configDump.of(proxy.get()));
    }

    private static String nodeIds(List<ProxyStatus> proxies) {
      List<String> ids = proxies.stream().map(ProxyStatus::nodeId).distinct().sorted().toList();
      return ids.isEmpty() ? "none" : String.join(", ", ids);
    }

    private static void error(RoutingContext ctx, int code, String message) {
      json(ctx, code, MAPPER.createObjectNode().put("code", code).put("message", message));
    }

    private static void json(RoutingContext ctx, int code, JsonNode body) {
      String text;
      try {
        text = MAPPER.writeValueAsString(body) + "\n";
      } catch (JsonProcessingException e) {
        ctx.fail(e);
        return;
      }
      ctx.response().setStatusCode(code).putHeader("content-type", JSON).end(text);
    }
  }
}
