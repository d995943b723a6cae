package dev.fairlead.allocator;

import dev.fairlead.tls.ServerTls;
import dev.fairlead.tls.UndecodableRequests;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.TrustOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one {@link EndpointAllocator} over gRPC and HTTP/JSON, each on its own address, both
 * protected as its {@link AllocatorSecurity} says: one TLS material (re-read when its files change)
 * and one bearer token serve both ports. Port 0 picks a free port; {@link #grpcPort()} and {@link
 * #httpPort()} say which. Closing stops both servers; the allocator is the caller's.
 */
public final class AllocationServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationServer.class);

  private final Server grpc;
  private final Vertx vertx;
  private final HttpServer http;
  private final Optional<ServerTls> tls;
  private final Optional<BearerToken> token;

  /**
   * Set first thing in {@link #close()}: an HTTP request answered after it has nowhere to go, which
   * is no error.
   */
  private final AtomicBoolean closing;

  private AllocationServer(
      Server grpc,
      Vertx vertx,
      HttpServer http,
      Optional<ServerTls> tls,
      Optional<BearerToken> token,
      AtomicBoolean closing) {
    this.grpc = grpc;
    this.vertx = vertx;
    this.http = http;
    this.tls = tls;
    this.token = token;
    this.closing = closing;
  }

  /**
   * Starts both servers and returns once both listen.
   *
   * @throws dev.fairlead.tls.UnusableFileException when a TLS or token file cannot be read or used,
   *     naming it
   */
  public static AllocationServer start(
      EndpointAllocator allocator,
      String host,
      int grpcPort,
      int httpPort,
      AllocatorSecurity security) {
    Objects.requireNonNull(allocator, "allocator");
    Optional<ServerTls> tls = ServerTls.start("allocator", security.transport());
    Optional<BearerToken> token = Optional.empty();
    try {
      token =
          security.tokenFile().map(file -> BearerToken.watch(file, security.tokenReloadInterval()));
      Server grpc = startGrpc(allocator, host, grpcPort, tls, token);
      AtomicBoolean closing = new AtomicBoolean();
      Vertx vertx = Vertx.vertx();
      // A request answered on a worker thread while the server stops completes on an event loop
      // that is gone.
      vertx.exceptionHandler(
          failure -> {
            if (closing.get() && failure instanceof RejectedExecutionException) {
              LOG.debug(
                  "An allocation request in flight at shutdown went unanswered: {}",
                  failure.toString());
            } else {
              LOG.error("Allocation HTTP API: a failure no handler took", failure);
            }
          });
      HttpServer http;
      try {
        http = startHttp(vertx, allocator, host, httpPort, tls, token);
      } catch (RuntimeException e) {
        grpc.shutdownNow();
        vertx.close();
        throw e;
      }
      LOG.info(
          "Allocation API on {}: gRPC port {}, HTTP port {}, {}",
          host,
          grpc.getPort(),
          http.actualPort(),
          security);
      if (security.transport().isPlaintext() && token.isPresent()) {
        LOG.warn(
            "The allocation API requires a bearer token but serves plaintext: the token crosses the network "
                + "unencrypted");
      }
      return new AllocationServer(grpc, vertx, http, tls, token, closing);
    } catch (RuntimeException e) {
      stopWatching(tls, token);
      throw e;
    }
  }

  private static Server startGrpc(
      EndpointAllocator allocator,
      String host,
      int port,
      Optional<ServerTls> tls,
      Optional<BearerToken> token) {
    ServerServiceDefinition service =
        UndecodableRequests.of(new AllocationGrpcService(allocator).bindService());
    Server grpc =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(host, port), ServerTls.grpcCredentials(tls))
            .addService(
                token
                    .map(t -> ServerInterceptors.intercept(service, t.grpcInterceptor()))
                    .orElse(service))
            .build();
    try {
      return grpc.start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot serve the allocation API over gRPC on " + host + ":" + port, e);
    }
  }

  private static HttpServer startHttp(
      Vertx vertx,
      EndpointAllocator allocator,
      String host,
      int port,
      Optional<ServerTls> tls,
      Optional<BearerToken> token) {
    try {
      return vertx
          .createHttpServer(httpOptions(tls))
          .requestHandler(new AllocationHttpApi(allocator, token).router(vertx))
          .listen(port, host)
          .toCompletionStage()
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the allocation API over HTTP", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "cannot serve the allocation API over HTTP on " + host + ":" + port, e);
    }
  }

  /**
   * HTTPS when {@code tls} is present, with the same swappable key and trust managers as gRPC: a
   * rotation reaches the next handshake on both ports.
   */
  private static HttpServerOptions httpOptions(Optional<ServerTls> tls) {
    HttpServerOptions options = new HttpServerOptions();
    tls.ifPresent(
        material -> {
          options.setSsl(true).setKeyCertOptions(KeyCertOptions.wrap(material.keyManager()));
          material
              .clientTrust()
              .ifPresent(
                  trust ->
                      options
                          .setTrustOptions(TrustOptions.wrap(trust))
                          .setClientAuth(ClientAuth.REQUIRED));
        });
    return options;
  }

  private static void stopWatching(Optional<ServerTls> tls, Optional<BearerToken> token) {
    tls.ifPresent(ServerTls::close);
    token.ifPresent(BearerToken::close);
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.actualPort();
  }

  @Override
  public void close() {
    closing.set(true);
    grpc.shutdown();
    try {
      if (!grpc.awaitTermination(10, TimeUnit.SECONDS)) {
        grpc.shutdownNow();
      }
    } catch (InterruptedException e) {
      grpc.shutdownNow();
      Thread.currentThread().interrupt();
    }
    vertx.close();
    stopWatching(tls, token);
  }
}
