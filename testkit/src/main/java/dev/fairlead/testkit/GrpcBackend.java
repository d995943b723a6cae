package dev.fairlead.testkit;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A local gRPC server on 127.0.0.1 whose one method, {@code fairlead.testkit.Identity/WhoAmI},
 * answers with the server's name, so a test can tell which backend a call through Envoy or an
 * xDS-resolved channel reached. It also serves the standard gRPC health service (SERVING).
 *
 * <p>The method uses a plain UTF-8 string marshaller, so clients need no generated code: {@link
 * #whoAmI(Channel)}. Thread-safe; closing stops the server.
 */
public final class GrpcBackend implements AutoCloseable {

  /** The identity method, for clients. */
  public static final MethodDescriptor<String, String> WHO_AM_I =
      MethodDescriptor.<String, String>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(
              MethodDescriptor.generateFullMethodName("fairlead.testkit.Identity", "WhoAmI"))
          .setRequestMarshaller(Utf8Marshaller.INSTANCE)
          .setResponseMarshaller(Utf8Marshaller.INSTANCE)
          .build();

  private final String name;
  private final Server server;
  private final LongAdder calls;

  private GrpcBackend(String name, Server server, LongAdder calls) {
    this.name = name;
    this.server = server;
    this.calls = calls;
  }

  public static GrpcBackend start(String name) {
    LongAdder calls = new LongAdder();
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    ServerServiceDefinition identity =
        ServerServiceDefinition.builder("fairlead.testkit.Identity")
            .addMethod(
                WHO_AM_I,
                ServerCalls.asyncUnaryCall(
                    (request, response) -> {
                      calls.increment();
                      response.onNext(name);
                      response.onCompleted();
                    }))
            .build();
    try {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(identity)
              .addService(health.getHealthService())
              .build()
              .start();
      return new GrpcBackend(name, server, calls);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start gRPC backend " + name, e);
    }
  }

  /**
   * Calls {@code WhoAmI} over {@code channel} and returns the name of the backend that answered.
   */
  public static String whoAmI(Channel channel) {
    return ClientCalls.blockingUnaryCall(
        channel, WHO_AM_I, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "");
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getPort();
  }

  /** Calls answered since start. */
  public long calls() {
    return calls.sum();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "gRPC backend " + name + " on 127.0.0.1:" + port();
  }

  private enum Utf8Marshaller implements MethodDescriptor.Marshaller<String> {
    INSTANCE;

    @Override
    public InputStream stream(String value) {
      return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String parse(InputStream stream) {
      try {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
