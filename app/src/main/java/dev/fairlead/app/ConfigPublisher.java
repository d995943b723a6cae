package dev.fairlead.app;

import com.google.protobuf.Message;
import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.translate.FleetConfig;
import dev.fairlead.xds.translate.IncrementalTranslator;
import dev.fairlead.xds.translate.Translation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns each new {@link ClusterState} into Envoy configuration: translates it, hands every fleet's
 * resources to the {@link XdsCache} (which works out what changed), drops fleets that no longer
 * exist, and logs verdicts that changed — a rejection once, with the object, where it was written
 * and why, and its recovery once. The {@link IncrementalTranslator} redoes only what changed since
 * the last state and hands back the very same resource instances for the rest, which the cache
 * recognises as unchanged without comparing them.
 *
 * <p>The time each translation takes is {@code fairlead.translation}; the moment a state is handed
 * over is when its changes count as observed for the proxies' convergence time ({@code
 * fairlead.xds.convergence}).
 *
 * <p>{@link #publish} is called from one thread (a source's own); the accessors may be read from
 * any thread.
 */
public final class ConfigPublisher {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigPublisher.class);

  private final IncrementalTranslator translator;
  private final XdsCache cache;
  private final Timer translations;

  /** The last summary of the fleets served, logged at INFO when it changes. */
  private final java.util.concurrent.atomic.AtomicReference<String> lastServing =
      new java.util.concurrent.atomic.AtomicReference<>();

  private final Map<String, String> lastProblems = new HashMap<>();
  private final AtomicLong published = new AtomicLong();
  private volatile Translation last;

  public ConfigPublisher(IncrementalTranslator translator, XdsCache cache, MeterRegistry registry) {
    this.translator = translator;
    this.cache = cache;
    this.translations =
        Timer.builder("fairlead.translation")
            .description("Translating a ClusterState into Envoy resources")
            .serviceLevelObjectives(
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                Duration.ofMillis(10),
                Duration.ofMillis(25),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofMillis(2500),
                Duration.ofSeconds(5))
            .register(registry);
  }

  /**
   * Publishes a state.
   *
   * @param origin where an object was written ({@code file:line} in standalone mode), by {@code
   *     Kind ns/name}
   */
  public Translation publish(ClusterState state, Function<String, String> origin) {
    long observed = System.nanoTime();
    Translation translation = translations.record(() -> translator.translate(state));
    for (Map.Entry<String, FleetConfig> fleet : translation.fleets().entrySet()) {
      cache.setFleet(fleet.getKey(), resources(fleet.getValue()), observed);
    }
    cache.retainFleets(translation.fleets().keySet());
    String serving =
        translation.fleets().isEmpty()
            ? "no fleet (no Gateway)"
            : translation.fleets().entrySet().stream()
                .map(
                    f ->
                        "fleet "
                            + f.getKey()
                            + " ("
                            + f.getValue().clusters().size()
                            + " clusters, "
                            + f.getValue().listeners().size()
                            + " listeners, "
                            + f.getValue().routes().size()
                            + " route tables)")
                .collect(java.util.stream.Collectors.joining(", "));
    // An endpoint or setting change leaves the summary as it was: INFO says when the shape of what
    // is served changes.
    if (serving.equals(lastServing.getAndSet(serving))) {
      LOG.debug("Serving {}", serving);
    } else {
      LOG.info("Serving {}", serving);
    }
    logVerdicts(translation.verdicts(), origin);
    last = translation;
    published.incrementAndGet();
    return translation;
  }

  /** The last translation published, for diagnostics; empty before the first. */
  public java.util.Optional<Translation> lastTranslation() {
    return java.util.Optional.ofNullable(last);
  }

  /** How many states have been published. */
  public long published() {
    return published.get();
  }

  private static Map<ResourceType, List<? extends Message>> resources(FleetConfig fleet) {
    Map<ResourceType, List<? extends Message>> byType = new EnumMap<>(ResourceType.class);
    byType.put(ResourceType.CLUSTER, fleet.clusters());
    byType.put(ResourceType.ENDPOINT, fleet.endpoints());
    byType.put(ResourceType.SECRET, fleet.secrets());
    byType.put(ResourceType.LISTENER, fleet.listeners());
    byType.put(ResourceType.ROUTE, fleet.routes());
    return byType;
  }

  private void logVerdicts(List<Verdict> verdicts, Function<String, String> origin) {
    Map<String, String> problems = new HashMap<>();
    for (Verdict verdict : verdicts) {
      String object =
          verdict.object().kind()
              + " "
              + verdict.object().namespace()
              + "/"
              + verdict.object().name();
      String parent =
          verdict
              .parent()
              .map(
                  p ->
                      " (parent Gateway "
                          + p.namespace()
                          + "/"
                          + p.name()
                          + p.sectionName().map(s -> " listener " + s).orElse("")
                          + ")")
              .orElse("");
      StringBuilder problem = new StringBuilder();
      if (verdict.accepted() instanceof Condition.False no) {
        problem.append("rejected: ").append(no.reason()).append(": ").append(no.message());
      }
      if (verdict.resolvedRefs() instanceof Condition.False no) {
        problem
            .append(problem.length() > 0 ? "; " : "")
            .append("unresolved references: ")
            .append(no.reason())
            .append(": ")
            .append(no.message());
      }
      verdict
          .partiallyInvalid()
          .ifPresent(
              partly ->
                  problem
                      .append(problem.length() > 0 ? "; " : "")
                      .append("partially invalid: ")
                      .append(partly.message()));
      try (ObjectLog scope = ObjectLog.of(verdict.object())) {
        if (problem.length() > 0) {
          problems.put(object + parent, problem.toString());
          if (!problem.toString().equals(lastProblems.get(object + parent))) {
            String where = origin.apply(object);
            LOG.warn("{}{}{} {}", where == null ? "" : where + ": ", object, parent, problem);
          }
        } else if (lastProblems.containsKey(object + parent)) {
          LOG.info("{}{} is accepted again", object, parent);
        }
      }
    }
    lastProblems.clear();
    lastProblems.putAll(problems);
  }
}
