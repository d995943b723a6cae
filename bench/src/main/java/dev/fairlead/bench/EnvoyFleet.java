package dev.fairlead.bench;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * N simulated Envoys multiplexed over a bounded number of gRPC channels (HTTP/2 connections)
 * sharing a bounded event-loop group, so that a thousand clients fit on a small machine: responses
 * are handled on the event-loop threads themselves. Connects to 127.0.0.1 only.
 *
 * <p>The driver thread connects, reconnects and switches {@link #convergence}; clients read it from
 * their stream threads (it is volatile).
 */
final class EnvoyFleet implements AutoCloseable {

  private final List<SimulatedEnvoy> envoys = new ArrayList<>();
  private final LoadStats stats = new LoadStats();
  private final CanonicalFingerprints fingerprints = new CanonicalFingerprints();
  private final EventLoopGroup eventLoops;
  private final int channelCount;
  private List<ManagedChannel> channels = List.of();
  private volatile Convergence convergence;
  private volatile boolean expectingDisconnects;

  /**
   * @param nackers how many of the clients (the first ones) NACK the first cluster response they
   *     get
   */
  EnvoyFleet(
      int clients,
      boolean delta,
      int nackers,
      ResourceIds ids,
      int channelCount,
      int eventLoopThreads) {
    this.channelCount = channelCount;
    this.eventLoops = new NioEventLoopGroup(eventLoopThreads);
    this.convergence = new Convergence(clients, ids);
    for (int i = 0; i < clients; i++) {
      envoys.add(new SimulatedEnvoy(i, delta, i < nackers, ids, stats, this));
    }
  }

  /** Opens new channels to {@code port} and (re)connects every client, all at once. */
  void connectAll(int port) {
    closeChannels();
    List<ManagedChannel> opened = new ArrayList<>();
    for (int i = 0; i < channelCount; i++) {
      opened.add(
          NettyChannelBuilder.forAddress("127.0.0.1", port)
              .usePlaintext()
              .eventLoopGroup(eventLoops)
              .channelType(NioSocketChannel.class)
              .directExecutor()
              .maxInboundMessageSize(Integer.MAX_VALUE)
              .flowControlWindow(16 << 20)
              .build());
    }
    channels = opened;
    expectingDisconnects = false;
    for (int i = 0; i < envoys.size(); i++) {
      envoys.get(i).connect(channels.get(i % channels.size()));
    }
  }

  List<SimulatedEnvoy> envoys() {
    return envoys;
  }

  CanonicalFingerprints fingerprints() {
    return fingerprints;
  }

  LoadStats stats() {
    return stats;
  }

  Convergence convergence() {
    return convergence;
  }

  void useConvergence(Convergence next) {
    convergence = next;
  }

  /**
   * Streams failing from now until the next {@link #connectAll} are expected (the server is being
   * restarted).
   */
  void expectDisconnects() {
    expectingDisconnects = true;
  }

  boolean expectingDisconnects() {
    return expectingDisconnects;
  }

  private void closeChannels() {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow();
    }
    for (ManagedChannel channel : channels) {
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    expectingDisconnects = true;
    closeChannels();
    var unused = eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
