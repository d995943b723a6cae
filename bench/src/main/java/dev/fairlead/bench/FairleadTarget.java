package dev.fairlead.bench;

import dev.fairlead.app.ControlPlane;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.server.ProxyAuthorization;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;

/**
 * Fairlead's real path: each {@link ControlFrames#STATE} frame is generated, translated and
 * published. {@code -Dfairlead.bench.xdsWarmUp=PT3S} (through {@code --server-jvm}) warms the xDS
 * path up before the server listens.
 */
final class FairleadTarget implements ServedTarget {

  private final BenchConfig config = new BenchConfig();
  private final ControlPlane controlPlane =
      ControlPlane.start(
          "127.0.0.1",
          0,
          ServerTransport.plaintext(),
          ProxyAuthorization.Mode.OPTIONAL,
          BenchConfig.OPTIONS,
          new SimpleMeterRegistry(),
          warmUp());

  /** {@code -Dfairlead.bench.xdsWarmUp}: how long a Fairlead server warms up; zero by default. */
  static Duration warmUp() {
    return Duration.parse(System.getProperty("fairlead.bench.xdsWarmUp", "PT0S"));
  }

  @Override
  public int port() {
    return controlPlane.xdsPort();
  }

  @Override
  public void apply(DeltaDiscoveryResponse frame) {
    if (!frame.getTypeUrl().equals(ControlFrames.STATE)) {
      throw new IllegalArgumentException(
          "fairlead takes state frames only, not " + frame.getTypeUrl());
    }
    controlPlane.publish(
        config.state(StateSpec.parse(frame.getSystemVersionInfo())), object -> null);
  }

  @Override
  public void close() {
    controlPlane.close();
  }
}
