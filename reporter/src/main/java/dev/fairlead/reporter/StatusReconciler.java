package dev.fairlead.reporter;

import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.runtime.CoalescingWorkQueue;
import dev.fairlead.runtime.InformerEventHandler;
import dev.fairlead.runtime.InformerGroup;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writing side of the reporter, for as long as this replica is the one that writes: its own
 * informers on Upstreams, GatewayClasses (cluster-scoped, so across the cluster), Gateways and
 * HTTPRoutes, a coalescing work queue of objects to reconcile, and the workers that reconcile them
 * through the {@link StatusWriter}.
 *
 * <p>Level-triggered: a new report (for the objects it changes), an informer event (add, update,
 * delete, resync) or a retry only queue the object's {@link ObjectKey}; a worker then reconciles
 * the object from the latest report and the object as the informer holds it at that moment. So an
 * object created after its verdict arrived is written once the informer sees it, a status someone
 * else changed is put back after the update event, and nothing depends on the order events come in.
 * Before the first report, nothing is reconciled: the reporter has nothing to say yet.
 *
 * <p>The version of the Gateway API CRDs ({@link GatewayApiVersion}) is read once, by the first
 * worker to reconcile a GatewayClass of Fairlead's: a CRD upgrade shows in the GatewayClasses'
 * {@code SupportedVersion} the next time a replica starts writing.
 *
 * <p>A reconcile that fails (other than by conflicts, which the writer retries) is retried with a
 * growing backoff (1 s doubling to 2 min); it is logged at ERROR once per object (UID) until that
 * object's status is written again, then at DEBUG.
 *
 * <p>Concurrency contract: informer callbacks and the report thread only queue keys; {@code
 * workers} threads reconcile, never two of them the same key. {@link #start()} and {@link #close()}
 * are called once each; the other methods from any thread at any time. Not restartable: the
 * reporter builds a new one each time writing starts.
 */
final class StatusReconciler implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusReconciler.class);
  private static final Duration FIRST_FAILURE_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_FAILURE_BACKOFF = Duration.ofMinutes(2);

  private final StatusWriter writer;
  private final LastWrittenStatuses lastWritten;
  private final Supplier<ReportIndex> latestReport;
  private final Clock clock;
  private final Map<String, Watched<?, ?>> watched = new LinkedHashMap<>();
  private final CoalescingWorkQueue<ObjectKey> queue;

  /** Consecutive failed reconciles per object, for the retry backoff. */
  private final Map<ObjectKey, Integer> failures = new ConcurrentHashMap<>();

  /** UIDs whose failure has been logged at ERROR, so each is logged once until it recovers. */
  private final Set<String> failuresLogged = ConcurrentHashMap.newKeySet();

  /** One kind's status rules with the informers that hold its objects. */
  private record Watched<T extends HasMetadata, S>(
      StatusKind<T, S> kind, InformerGroup<T> informers) {}

  /**
   * @param latestReport the latest report, null until there is one; read at the start of every
   *     reconcile
   */
  StatusReconciler(
      KubernetesClient client,
      ReporterSettings settings,
      StatusWriter writer,
      LastWrittenStatuses lastWritten,
      Supplier<ReportIndex> latestReport,
      Clock clock) {
    this.writer = Objects.requireNonNull(writer, "writer");
    this.lastWritten = Objects.requireNonNull(lastWritten, "lastWritten");
    this.latestReport = Objects.requireNonNull(latestReport, "latestReport");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.queue =
        new CoalescingWorkQueue<>(
            "fairlead-status", settings.coalescing(), settings.workers(), this::reconcile);
    long resyncMillis = settings.resyncPeriod().toMillis();
    watch(
        new UpstreamStatusKind(),
        client.resources(Upstream.class),
        settings.namespaces(),
        resyncMillis);
    watch(
        new GatewayClassStatusKind(() -> GatewayApiVersion.read(client)),
        false,
        client.resources(GatewayClass.class),
        Set.of(),
        resyncMillis);
    watch(
        new GatewayStatusKind(),
        client.resources(Gateway.class),
        settings.namespaces(),
        resyncMillis);
    watch(
        RouteStatusKind.HTTP_ROUTE,
        client.resources(HTTPRoute.class),
        settings.namespaces(),
        resyncMillis);
    if (servesGrpcRoutes(client)) {
      watch(
          RouteStatusKind.GRPC_ROUTE,
          client.resources(GRPCRoute.class),
          settings.namespaces(),
          resyncMillis);
    } else {
      LOG.info(
          "The API server does not serve GRPCRoutes (their CRD is not installed): no GRPCRoute status is "
              + "written until a restart after it is");
    }
  }

  /**
   * Whether the API server serves GRPCRoutes, which Fairlead treats as optional; when it cannot be
   * asked, assumed so (the informer then retries like the others until it can list them).
   */
  private static boolean servesGrpcRoutes(KubernetesClient client) {
    try {
      return client.supports(GRPCRoute.class);
    } catch (RuntimeException e) {
      return true;
    }
  }

  private <T extends HasMetadata, S> void watch(
      StatusKind<T, S> kind,
      MixedOperation<T, ?, ?> operation,
      Set<String> namespaces,
      long resyncMillis) {
    watch(kind, true, operation, namespaces, resyncMillis);
  }

  private <T extends HasMetadata, S> void watch(
      StatusKind<T, S> kind,
      boolean namespaced,
      MixedOperation<T, ?, ?> operation,
      Set<String> namespaces,
      long resyncMillis) {
    InformerGroup<T> informers =
        new InformerGroup<>(
            kind.kind(),
            namespaced,
            namespaces,
            ns ->
                namespaced
                    ? (ns == null ? operation.inAnyNamespace() : operation.inNamespace(ns))
                    : operation,
            resyncMillis);
    informers.addEventHandler(
        InformerEventHandler.<T>of(
            object -> queue.add(ObjectKey.of(kind.kind(), object)),
            (oldObject, newObject) -> {
              String oldUid = oldObject.getMetadata().getUid();
              if (oldUid != null && !oldUid.equals(newObject.getMetadata().getUid())) {
                // Deleted and recreated while the watch was down: the relist shows it as an update.
                lastWritten.invalidate(oldUid);
              }
              queue.add(ObjectKey.of(kind.kind(), newObject));
            },
            object -> {
              lastWritten.invalidate(object.getMetadata().getUid());
              failuresLogged.remove(object.getMetadata().getUid());
              queue.add(ObjectKey.of(kind.kind(), object));
            }));
    watched.put(kind.kind(), new Watched<>(kind, informers));
  }

  /** Starts the informers and the workers; their initial listing queues every object. */
  void start() {
    for (var w : watched.values()) {
      var unused = w.informers().start();
    }
    queue.start();
  }

  /** Whether every informer has listed its objects. */
  boolean hasSynced() {
    return watched.values().stream().allMatch(w -> w.informers().hasSynced());
  }

  /** Queues one object for a reconcile. */
  void add(ObjectKey key) {
    queue.add(key);
  }

  /** Queues every object the informers hold: at steady state, this writes nothing. */
  void resyncAll() {
    watched
        .values()
        .forEach(
            w ->
                w.informers()
                    .list()
                    .forEach(object -> queue.add(ObjectKey.of(w.kind().kind(), object))));
  }

  /** Objects queued or being reconciled. */
  int pending() {
    return queue.size();
  }

  /** Stops the informers, then the workers (a reconcile in progress finishes first). Idempotent. */
  @Override
  public void close() {
    watched.values().forEach(w -> w.informers().close());
    queue.close();
  }

  /** Reconciles one object; on a worker, never concurrently for the same key. */
  private void reconcile(ObjectKey key) {
    ReportIndex report = latestReport.get();
    Watched<?, ?> w = watched.get(key.kind());
    if (report == null || w == null) {
      return;
    }
    reconcile(w, key, report);
  }

  private <T extends HasMetadata, S> void reconcile(
      Watched<T, S> w, ObjectKey key, ReportIndex report) {
    T object = w.informers().get(key.namespace(), key.name());
    if (object == null) {
      failures.remove(key);
      return;
    }
    ObjectReport about = report.about(key);
    Instant now = clock.instant();
    try (ObjectLog scope = ObjectLog.of(w.kind().kind(), object)) {
      write(w, key, object, about, now);
    }
  }

  private <T extends HasMetadata, S> void write(
      Watched<T, S> w, ObjectKey key, T object, ObjectReport about, Instant now) {
    try {
      writer.reconcile(w.kind(), object, current -> w.kind().desired(about, current, now));
      failures.remove(key);
      if (failuresLogged.remove(object.getMetadata().getUid())) {
        LOG.info(
            "{} (uid {}): status reconciled again after failures",
            key,
            object.getMetadata().getUid());
      }
    } catch (StatusWriteException e) {
      if (Thread.currentThread().isInterrupted()) {
        LOG.debug("Stopping; left as it is: {}", e.getMessage());
        return;
      }
      int failed = failures.merge(key, 1, Integer::sum);
      Duration backoff = failureBackoff(failed);
      if (failuresLogged.add(e.uid())) {
        // Unanswered writes are the network's or the API server's trouble, retried until they pass
        // (and a leader cut off for long loses its Lease); a refused status needs someone to look.
        if (e.unanswered()) {
          LOG.warn("Status not written, retrying in {} ms: {}", backoff.toMillis(), e.getMessage());
        } else {
          LOG.error(
              "Status not written, retrying in {} ms: {}", backoff.toMillis(), e.getMessage());
        }
      } else {
        LOG.debug(
            "Status not written ({} times in a row), retrying in {} ms: {}",
            failed,
            backoff.toMillis(),
            e.getMessage());
      }
      queue.addAfter(key, backoff);
    }
  }

  private static Duration failureBackoff(int failures) {
    long millis =
        Math.min(
            MAX_FAILURE_BACKOFF.toMillis(),
            FIRST_FAILURE_BACKOFF.toMillis() << Math.min(failures - 1, 20));
    return Duration.ofMillis(
        (long) (millis * (0.5 + ThreadLocalRandom.current().nextDouble() / 2)));
  }
}
