package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.ResourceType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntBiFunction;

/**
 * The xDS server's meters, tagged by {@code type} (CDS, EDS, LDS, RDS) and, where the protocol
 * matters, {@code mode} ({@code sotw} or {@code delta}):
 *
 * <ul>
 *   <li>{@code fairlead.xds.streams}: open streams that have asked for the type (gauge);
 *   <li>{@code fairlead.xds.pushes}: responses sent;
 *   <li>{@code fairlead.xds.nacks}: responses proxies rejected;
 *   <li>{@code fairlead.xds.convergence}: from a change being observed (the configuration
 *       published) to a proxy's ACK of the first version that carries it, one sample per proxy and
 *       response (histogram).
 * </ul>
 *
 * Thread-safe.
 */
final class XdsMetrics {

  static final String SOTW = "sotw";
  static final String DELTA = "delta";

  private static final Duration[] CONVERGENCE_BUCKETS = {
    Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25), Duration.ofMillis(50),
    Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  private final Map<ResourceType, Counter> sotwPushes = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, Counter> deltaPushes = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, Counter> nacks = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, Timer> convergence = new EnumMap<>(ResourceType.class);

  /**
   * @param streams how many open streams of a mode ({@code true}: delta) have asked for a type
   */
  XdsMetrics(MeterRegistry registry, ToIntBiFunction<ResourceType, Boolean> streams) {
    for (ResourceType type : ResourceType.values()) {
      String tag = type.shortName();
      for (boolean delta : new boolean[] {false, true}) {
        Gauge.builder("fairlead.xds.streams", () -> streams.applyAsInt(type, delta))
            .description("Open xDS streams that have asked for the type")
            .tag("type", tag)
            .tag("mode", mode(delta))
            .register(registry);
        (delta ? deltaPushes : sotwPushes)
            .put(
                type,
                Counter.builder("fairlead.xds.pushes")
                    .description("xDS responses sent")
                    .tag("type", tag)
                    .tag("mode", mode(delta))
                    .register(registry));
      }
      nacks.put(
          type,
          Counter.builder("fairlead.xds.nacks")
              .description("xDS responses proxies rejected (NACKs received)")
              .tag("type", tag)
              .register(registry));
      convergence.put(
          type,
          Timer.builder("fairlead.xds.convergence")
              .description(
                  "From a configuration change being published to a proxy's ACK of the first version carrying it")
              .tag("type", tag)
              .serviceLevelObjectives(CONVERGENCE_BUCKETS)
              .register(registry));
    }
  }

  static String mode(boolean delta) {
    return delta ? DELTA : SOTW;
  }

  void pushed(ResourceType type, boolean delta) {
    (delta ? deltaPushes : sotwPushes).get(type).increment();
  }

  void nacked(ResourceType type) {
    nacks.get(type).increment();
  }

  /** Records a convergence time; a negative one (no change carried) is ignored. */
  void converged(ResourceType type, long nanos) {
    if (nanos >= 0) {
      convergence.get(type).record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
