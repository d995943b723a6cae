package dev.fairlead.xds.server;

import dev.fairlead.tls.ServerTls;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.StreamRegistry;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.controlplane.server.DefaultExecutorGroup;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC xDS endpoint: java-control-plane's ADS implementation (state-of-the-world and delta) over Fairlead's
 * {@link XdsCache}, plus the standard gRPC health and reflection services, over TLS (certificate and key re-read
 * when their files change; client certificates required when a CA is given) or, when asked for, plaintext.
 * Closing stops it.
 */
public final class XdsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

  private final Server server;
  private final HealthStatusManager health;
  private final Optional<ServerTls> tls;

  private XdsServer(Server server, HealthStatusManager health, Optional<ServerTls> tls) {
    this.server = server;
    this.health = health;
    this.tls = tls;
  }

  /**
   * Starts serving on {@code host:port} (port 0 picks a free one).
   *
   * @throws dev.fairlead.tls.UnusableFileException when a TLS file cannot be read or used, naming it
   */
  public static XdsServer start(String host, int port, ServerTransport transport, XdsCache cache,
      StreamRegistry streams) {
    V3DiscoveryServer discovery = new V3DiscoveryServer(List.of(streams), cache, new DefaultExecutorGroup(),
        new EncodedOnceSerializer());
    HealthStatusManager health = new HealthStatusManager();
    health.setStatus("", ServingStatus.SERVING);
    Optional<ServerTls> tls = ServerTls.start("xDS", transport);
    try {
      Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), ServerTls.grpcCredentials(tls))
          .addService(discovery.getAggregatedDiscoveryServiceImpl())
          .addService(health.getHealthService())
          .addService(ProtoReflectionServiceV1.newInstance())
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true)
          .build()
          .start();
      LOG.info("xDS server listening on {}:{}, {}", host, server.getPort(), transport);
      return new XdsServer(server, health, tls);
    } catch (IOException e) {
      tls.ifPresent(ServerTls::close);
      throw new UncheckedIOException("Cannot listen for xDS on " + host + ":" + port + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      tls.ifPresent(ServerTls::close);
      throw e;
    }
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
      tls.ifPresent(ServerTls::close);
    }
  }
}
