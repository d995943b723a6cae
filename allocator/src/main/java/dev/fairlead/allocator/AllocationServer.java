package dev.fairlead.allocator;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Serves one {@link EndpointAllocator} over gRPC and HTTP/JSON, each on its own address. Port 0 picks a free port;
 * {@link #grpcPort()} and {@link #httpPort()} say which. Closing stops both servers; the allocator is the caller's.
 */
public final class AllocationServer implements AutoCloseable {

  private final Server grpc;
  private final Vertx vertx;
  private final HttpServer http;

  private AllocationServer(Server grpc, Vertx vertx, HttpServer http) {
    this.grpc = grpc;
    this.vertx = vertx;
    this.http = http;
  }

  /** Starts both servers and returns once both listen. */
  public static AllocationServer start(EndpointAllocator allocator, String host, int grpcPort, int httpPort) {
    Objects.requireNonNull(allocator, "allocator");
    Server grpc = NettyServerBuilder.forAddress(new InetSocketAddress(host, grpcPort))
        .addService(new AllocationGrpcService(allocator))
        .build();
    try {
      grpc.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve the allocation API over gRPC on " + host + ":" + grpcPort, e);
    }
    Vertx vertx = Vertx.vertx();
    try {
      HttpServer http = vertx.createHttpServer()
          .requestHandler(new AllocationHttpApi(allocator).router(vertx))
          .listen(httpPort, host)
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      return new AllocationServer(grpc, vertx, http);
    } catch (Exception e) {
      grpc.shutdownNow();
      vertx.close();
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("cannot serve the allocation API over HTTP on " + host + ":" + httpPort, e);
    }
  }

  public int grpcPort() {
    return grpc.getPort();
  }

  public int httpPort() {
    return http.actualPort();
  }

  @Override
  public void close() {
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
  }
}
