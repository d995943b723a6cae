package dev.fairlead.xds.server;

import dev.fairlead.tls.ServerTls;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.XdsCache;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC xDS endpoint: Fairlead's ADS service ({@link AdsService}, state-of-the-world and delta)
 * over its {@link XdsCache}, plus the standard gRPC health and reflection services, over TLS
 * (certificate and key re-read when their files change; client certificates required when a CA is
 * given) or, when asked for, plaintext. Closing stops it.
 */
public final class XdsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

  /**
   * Bytes of responses written to streams that have not taken them up yet, across all streams
   * ({@link SendBudget}): about 25 ms of loopback bandwidth, and a bound on the direct memory a
   * full push to every proxy needs.
   */
  static final long SEND_BUDGET_BYTES = 64L << 20;

  /**
   * Threads handling requests (and writing the responses they answer). gRPC's default, a thread per
   * busy call, lets a thousand proxies connecting at once parse and answer a thousand requests of
   * 10,000 names at the same time — all in memory together, and no faster on a few cores. Nothing
   * on these threads blocks.
   */
  static final int CALL_THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

  /**
   * The largest request a stream may send: gRPC's default, stated here because it is a promise. A
   * request of 10,000 resource names of 100 bytes is about 1 MiB; a larger one ends its stream with
   * RESOURCE_EXHAUSTED before any of it is decoded.
   */
  static final int MAX_REQUEST_BYTES = 4 << 20;

  /** How long a stream that stopped reading keeps its share of the send budget. */
  static final long STALE_SEND_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final Server server;
  private final HealthStatusManager health;
  private final Optional<ServerTls> tls;
  private final ExecutorService calls;
  private final ScheduledExecutorService budgetTimer;

  private XdsServer(
      Server server,
      HealthStatusManager health,
      Optional<ServerTls> tls,
      ExecutorService calls,
      ScheduledExecutorService budgetTimer) {
    this.server = server;
    this.health = health;
    this.tls = tls;
    this.calls = calls;
    this.budgetTimer = budgetTimer;
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one); a client presenting a proxy
   * identity gets only its fleet, one without may ask for any ({@link
   * ProxyAuthorization.Mode#OPTIONAL}).
   *
   * @throws dev.fairlead.tls.UnusableFileException when a TLS file cannot be read or used, naming
   *     it
   */
  public static XdsServer start(
      String host, int port, ServerTransport transport, XdsCache cache, StreamRegistry streams) {
    return start(host, port, transport, ProxyAuthorization.Mode.OPTIONAL, cache, streams);
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one), binding clients to fleets by
   * {@code identity}.
   *
   * @throws IllegalArgumentException when {@code identity} is {@link
   *     ProxyAuthorization.Mode#REQUIRED} but {@code transport} does not require client
   *     certificates, so no client could ever prove one
   * @throws dev.fairlead.tls.UnusableFileException when a TLS file cannot be read or used, naming
   *     it
   */
  public static XdsServer start(
      String host,
      int port,
      ServerTransport transport,
      ProxyAuthorization.Mode identity,
      XdsCache cache,
      StreamRegistry streams) {
    return start(
        host,
        port,
        transport,
        identity,
        cache,
        streams,
        new SendBudget(SEND_BUDGET_BYTES, STALE_SEND_NANOS));
  }

  /**
   * As {@link #start(String, int, ServerTransport, XdsCache, StreamRegistry)}, with its own send
   * budget.
   */
  static XdsServer start(
      String host,
      int port,
      ServerTransport transport,
      XdsCache cache,
      StreamRegistry streams,
      SendBudget budget) {
    return start(host, port, transport, ProxyAuthorization.Mode.OPTIONAL, cache, streams, budget);
  }

  private static XdsServer start(
      String host,
      int port,
      ServerTransport transport,
      ProxyAuthorization.Mode identity,
      XdsCache cache,
      StreamRegistry streams,
      SendBudget budget) {
    if (identity == ProxyAuthorization.Mode.REQUIRED
        && transport.tls().map(files -> !files.clientCertificatesRequired()).orElse(true)) {
      throw new IllegalArgumentException(
          "proxy identities are required, but the xDS server does not require client "
              + "certificates (it needs a CA for them): no proxy could prove its identity");
    }
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    Optional<ServerTls> tls = ServerTls.start("xDS", transport);
    ExecutorService calls = Executors.newFixedThreadPool(CALL_THREADS, daemon("xds-call-"));
    ScheduledExecutorService budgetTimer =
        Executors.newSingleThreadScheduledExecutor(daemon("xds-send-budget-"));
    try {
      Server server =
          NettyServerBuilder.forAddress(
                  new InetSocketAddress(host, port), ServerTls.grpcCredentials(tls))
              .executor(calls)
              .maxInboundMessageSize(MAX_REQUEST_BYTES)
              .addService(
                  ServerInterceptors.intercept(
                      new AdsService(cache, streams, budget, identity).definition(),
                      ProxyAuthorization.interceptor()))
              .addService(health.getHealthService())
              .addService(ProtoReflectionServiceV1.newInstance())
              .permitKeepAliveTime(10, TimeUnit.SECONDS)
              .permitKeepAliveWithoutCalls(true)
              .build()
              .start();
      LOG.info(
          "xDS server listening on {}:{}, {}, proxy identity {}",
          host,
          server.getPort(),
          transport,
          identity == ProxyAuthorization.Mode.REQUIRED ? "required" : "optional");
      var unused = budgetTimer.scheduleWithFixedDelay(budget::expireStale, 1, 1, TimeUnit.SECONDS);
      return new XdsServer(server, health, tls, calls, budgetTimer);
    } catch (IOException e) {
      stopped(tls, calls, budgetTimer);
      throw new UncheckedIOException(
          "Cannot listen for xDS on " + host + ":" + port + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      stopped(tls, calls, budgetTimer);
      throw e;
    }
  }

  private static void stopped(
      Optional<ServerTls> tls, ExecutorService calls, ExecutorService budgetTimer) {
    tls.ifPresent(ServerTls::close);
    calls.shutdownNow();
    budgetTimer.shutdownNow();
  }

  private static ThreadFactory daemon(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    health.enterTerminalState();
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      server.shutdownNow();
    } finally {
      stopped(tls, calls, budgetTimer);
    }
  }
}
