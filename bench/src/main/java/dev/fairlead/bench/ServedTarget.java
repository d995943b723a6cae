package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;

/**
 * A Java xDS server under test, listening on 127.0.0.1, applying the driver's {@link
 * ControlFrames}. Used from one thread (the one reading frames); the server's own threads serve
 * xDS.
 */
interface ServedTarget extends AutoCloseable {

  int port();

  /** Applies one frame other than {@link ControlFrames#STATS} and {@link ControlFrames#RESET}. */
  void apply(DeltaDiscoveryResponse frame);

  @Override
  void close();

  /** Starts the Java server of {@code peer} on a free port. */
  static ServedTarget start(Peer peer) {
    return switch (peer) {
      case FAIRLEAD -> new FairleadTarget();
      case FAIRLEAD_CACHE -> new FairleadCacheTarget();
      case STOCK -> new StockTarget();
      case GO ->
          throw new IllegalArgumentException("go-control-plane is not a Java server; see GoPeer");
    };
  }
}
