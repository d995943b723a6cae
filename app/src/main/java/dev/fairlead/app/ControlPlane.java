package dev.fairlead.app;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.ProxyAuthorization;
import dev.fairlead.xds.server.StreamRegistry;
import dev.fairlead.xds.server.XdsServer;
import dev.fairlead.xds.server.XdsWarmUp;
import dev.fairlead.xds.translate.IncrementalTranslator;
import dev.fairlead.xds.translate.Translation;
import dev.fairlead.xds.translate.TranslatorOptions;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every mode of Fairlead runs, whatever its source: the xDS cache and stream registry, the
 * publisher that translates each {@link ClusterState} into the cache, and the xDS gRPC server. A
 * source (the configuration directory, or the Kubernetes informers) calls {@link #publish} from its
 * own single thread.
 */
public final class ControlPlane implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ControlPlane.class);

  private final StreamRegistry streams;
  private final XdsCache cache;
  private final ConfigPublisher publisher;
  private final XdsServer server;

  private ControlPlane(
      StreamRegistry streams, XdsCache cache, ConfigPublisher publisher, XdsServer server) {
    this.streams = streams;
    this.cache = cache;
    this.publisher = publisher;
    this.server = server;
  }

  /**
   * Starts serving xDS on {@code xdsAddress:xdsPort}, over {@code transport}, binding xDS clients
   * to fleets as {@code identity} says, translating with {@code options}; proxies wait until the
   * first state is published. With a {@code warmUp} other than zero it first runs the xDS path hot
   * for about that long ({@link XdsWarmUp}), so that the first proxies meet compiled code; the port
   * opens after it.
   *
   * @param registry where the xDS and translation meters go
   */
  public static ControlPlane start(
      String xdsAddress,
      int xdsPort,
      ServerTransport transport,
      ProxyAuthorization.Mode identity,
      TranslatorOptions options,
      MeterRegistry registry,
      Duration warmUp) {
    if (!warmUp.isZero()) {
      XdsWarmUp standard = XdsWarmUp.standard();
      XdsWarmUp.Result warmed = standard.run(warmUp);
      LOG.info(
          "xDS path warmed up in {} ms: {} rounds, {} responses to {} simulated proxies{}",
          warmed.took().toMillis(),
          warmed.rounds(),
          warmed.responses(),
          standard.proxies(),
          warmed.endedEarly().map(why -> "; ended early: " + why).orElse(""));
    }
    StreamRegistry streams = new StreamRegistry(registry, Clock.systemUTC());
    XdsCache cache = new XdsCache();
    ConfigPublisher publisher =
        new ConfigPublisher(new IncrementalTranslator(options), cache, registry);
    XdsServer server = XdsServer.start(xdsAddress, xdsPort, transport, identity, cache, streams);
    return new ControlPlane(streams, cache, publisher, server);
  }

  /**
   * Translates and serves a state; call from one thread.
   *
   * @param origin where an object was written, by {@code Kind namespace/name}, for log lines; may
   *     answer null
   */
  public Translation publish(ClusterState state, Function<String, String> origin) {
    return publisher.publish(state, origin);
  }

  public int xdsPort() {
    return server.port();
  }

  public XdsCache cache() {
    return cache;
  }

  public StreamRegistry streams() {
    return streams;
  }

  /** The translation being served. */
  public Translation lastTranslation() {
    return publisher
        .lastTranslation()
        .orElseThrow(() -> new IllegalStateException("nothing published yet"));
  }

  /** How many states have been published. */
  public long publishedConfigurations() {
    return publisher.published();
  }

  @Override
  public void close() {
    server.close();
  }
}
