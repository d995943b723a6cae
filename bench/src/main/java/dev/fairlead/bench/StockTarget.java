package dev.fairlead.bench;

import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.controlplane.cache.v3.SimpleCache;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * java-control-plane's stock cache as its users run it: a {@code SimpleCache} grouping proxies by
 * {@code node.cluster}, a new {@code Snapshot} (one version for every type) per commit, and {@code
 * V3DiscoveryServer} with its default serializer.
 */
final class StockTarget implements ServedTarget {

  private final StagedResources resources = new StagedResources();
  private final SimpleCache<String> cache = new SimpleCache<>(node -> node.getCluster());
  private final Server server;
  private long version;

  StockTarget() {
    try {
      server =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
              .addService(new V3DiscoveryServer(cache).getAggregatedDiscoveryServiceImpl())
              .build()
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on 127.0.0.1", e);
    }
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void apply(DeltaDiscoveryResponse frame) {
    if (!frame.getTypeUrl().equals(ControlFrames.COMMIT)) {
      resources.stage(frame);
      return;
    }
    cache.setSnapshot(
        BenchConfig.FLEET,
        Snapshot.create(
            resources.of(ResourceType.CLUSTER, Cluster.class),
            resources.of(ResourceType.ENDPOINT, ClusterLoadAssignment.class),
            resources.of(ResourceType.LISTENER, Listener.class),
            resources.of(ResourceType.ROUTE, RouteConfiguration.class),
            List.of(),
            Long.toString(++version)));
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
}
