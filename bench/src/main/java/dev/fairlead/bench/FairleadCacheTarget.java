package dev.fairlead.bench;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.StreamRegistry;
import dev.fairlead.xds.server.XdsServer;
import dev.fairlead.xds.server.XdsWarmUp;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/**
 * Fairlead's cache and server without translation: each commit hands the whole resource set to the
 * cache. {@code -Dfairlead.bench.xdsWarmUp=PT3S} (through {@code --server-jvm}) warms the xDS path
 * up before the server listens, as {@code --xds-warm-up} does in the product.
 */
final class FairleadCacheTarget implements ServedTarget {

  private final StagedResources resources = new StagedResources();
  private final StreamRegistry streams =
      new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
  private final XdsCache cache = new XdsCache();
  private final XdsServer server = warmedUpServer(cache, streams);

  private static XdsServer warmedUpServer(XdsCache cache, StreamRegistry streams) {
    XdsWarmUp.standard().run(FairleadTarget.warmUp());
    return XdsServer.start("127.0.0.1", 0, ServerTransport.plaintext(), cache, streams);
  }

  @Override
  public int port() {
    return server.port();
  }

  @Override
  public void apply(DeltaDiscoveryResponse frame) {
    if (frame.getTypeUrl().equals(ControlFrames.COMMIT)) {
      cache.setFleet(BenchConfig.FLEET, resources.all());
    } else {
      resources.stage(frame);
    }
  }

  @Override
  public void close() {
    server.close();
  }
}
