package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.util.List;
import java.util.Optional;

/**
 * A Java server under test in the driver's own process: for the smoke test, where only correctness
 * counts.
 */
final class InProcessServer implements ServerHandle {

  private final Peer peer;
  private final ServedTarget target;

  InProcessServer(Peer peer) {
    this.peer = peer;
    this.target = ServedTarget.start(peer);
  }

  @Override
  public Peer peer() {
    return peer;
  }

  @Override
  public int port() {
    return target.port();
  }

  @Override
  public void send(List<DeltaDiscoveryResponse> frames) {
    frames.forEach(target::apply);
  }

  @Override
  public void sendPipelined(List<DeltaDiscoveryResponse> frames) {
    send(frames);
  }

  @Override
  public void awaitPipelined() {}

  @Override
  public Optional<ServerStats> stats() {
    return Optional.empty();
  }

  @Override
  public void resetPeaks() {}

  @Override
  public void close() {
    target.close();
  }
}
