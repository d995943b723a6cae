package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.util.List;
import java.util.Optional;

/**
 * The driver's side of a server under test, in this process or its own. Used from the driver's
 * thread only.
 */
interface ServerHandle extends AutoCloseable {

  Peer peer();

  int port();

  /** Sends frames ending with a commit or a state, and returns once the server has applied them. */
  void send(List<DeltaDiscoveryResponse> frames);

  /**
   * Sends frames ending with a commit or a state without waiting for them to be applied; {@link
   * #awaitPipelined} waits for all such sends.
   */
  void sendPipelined(List<DeltaDiscoveryResponse> frames);

  void awaitPipelined();

  /**
   * CPU time used and peaks since the last {@link #resetPeaks}; empty when the server shares this
   * process.
   */
  Optional<ServerStats> stats();

  void resetPeaks();

  /**
   * Stops the server at once, as a crash or a lost node would; {@link #close} where that cannot be
   * done.
   */
  default void kill() {
    close();
  }

  @Override
  void close();

  /**
   * What the server process used.
   *
   * @param cpuNanos the process's user and system CPU time since it started
   * @param peakRssBytes its peak resident set since the last reset ({@code VmHWM})
   * @param peakHeapBytes its peak heap in use (Java heap, or Go heap) since the last reset, sampled
   *     every 20 ms
   */
  record ServerStats(long cpuNanos, long peakRssBytes, long peakHeapBytes) {}
}
