package dev.fairlead.reporter;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports an honest status on every Upstream, GatewayClass, Gateway and HTTPRoute Fairlead judges:
 * the app hands it the latest {@link StatusReport} whenever anything in it changes, and the
 * reporter writes each object's status subresource when — and only when — the status it should have
 * differs from the one it has.
 *
 * <p>Two halves with separate lifecycles:
 *
 * <ul>
 *   <li>{@link #report} takes reports, on every replica, at any time: it only stores the report and
 *       wakes the reporter's own report thread, which indexes it and compares it with the previous
 *       one object by object;
 *   <li>{@link #start()} / {@link #stop()} run the writing side ({@link StatusReconciler}:
 *       informers, work queue, workers, {@link StatusWriter}) — only on the replica that writes
 *       (the elected leader). Each start begins with an empty last-written cache and lists every
 *       object afresh; a status already in place is not rewritten.
 * </ul>
 *
 * <p>Status is keyed by UID: a verdict applies to the object with the UID it names, and the
 * last-written cache ({@link LastWrittenStatuses}) is keyed by UID, so a deleted and recreated
 * object of the same name gets its status written again. See {@link WriteDecision} for when a write
 * is skipped, and {@link StatusWriter} for conflicts.
 *
 * <p>Concurrency contract: {@link #report} is cheap and never blocks (an atomic swap and, at most,
 * a task handed to the report thread); reports arriving faster than they are indexed coalesce, only
 * the latest counts. Call it from one thread (or serialize the calls), so that "latest" means
 * something. {@link #start()}, {@link #stop()} and {@link #close()} may be called from any thread;
 * they are serialized. All status writing happens on the reporter's worker threads.
 *
 * <p>Metrics: {@code fairlead_status_writes_total{kind}}, {@code
 * fairlead_status_skips_total{kind}}, {@code fairlead_status_conflicts_total{kind}}, {@code
 * fairlead_status_failures_total{kind}}, and the cache's {@code cache_*{cache="fairlead_status"}}.
 */
public final class StatusReporter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StatusReporter.class);
  private static final List<String> KINDS =
      List.of(
          ReportIndex.UPSTREAM,
          ReportIndex.GATEWAY_CLASS,
          ReportIndex.GATEWAY,
          ReportIndex.HTTP_ROUTE,
          ReportIndex.GRPC_ROUTE);

  private final KubernetesClient client;
  private final ReporterSettings settings;
  private final Clock clock;
  private final LastWrittenStatuses lastWritten;
  private final StatusWriter writer;
  private final ExecutorService reportThread;

  private final AtomicReference<Submitted> submitted = new AtomicReference<>();
  private final AtomicBoolean indexing = new AtomicBoolean();
  private final AtomicLong reportsSubmitted = new AtomicLong();
  private volatile long reportsIndexed;

  /** The latest report, indexed; null until the first one. */
  private volatile ReportIndex latest;

  /** The writing side while started; null while stopped. */
  private volatile StatusReconciler reconciler;

  private volatile boolean closed;

  private record Submitted(long sequence, StatusReport report) {}

  /**
   * @param client the client to watch and write with; the caller keeps ownership and closes it
   *     after this
   * @param registry where the metrics go
   */
  public StatusReporter(
      KubernetesClient client, ReporterSettings settings, MeterRegistry registry) {
    this(client, settings, registry, Clock.systemUTC());
  }

  /**
   * @param clock dates condition transitions
   */
  public StatusReporter(
      KubernetesClient client, ReporterSettings settings, MeterRegistry registry, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.lastWritten = new LastWrittenStatuses(settings.cacheSize(), registry);
    this.writer =
        new StatusWriter(
            client,
            lastWritten,
            registry,
            KINDS,
            settings.writeAttempts(),
            settings.firstConflictBackoff(),
            settings.maxConflictBackoff());
    this.reportThread =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "fairlead-status-report");
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Takes the latest report (and drops it once closed). Returns at once; the report is indexed on
   * the reporter's own thread, and the objects it changes are queued for the writing side (if
   * started).
   */
  public void report(StatusReport report) {
    Objects.requireNonNull(report, "report");
    if (closed) {
      return;
    }
    submitted.set(new Submitted(reportsSubmitted.incrementAndGet(), report));
    if (!indexing.getAndSet(true)) {
      try {
        reportThread.execute(this::indexLatest);
      } catch (RejectedExecutionException e) {
        LOG.debug("Report dropped: the reporter is closed");
      }
    }
  }

  private void indexLatest() {
    indexing.set(false);
    Submitted next = submitted.getAndSet(null);
    if (next == null) {
      return;
    }
    try {
      ReportIndex index = ReportIndex.of(next.report());
      ReportIndex previous = latest;
      latest = index;
      StatusReconciler writing = reconciler;
      if (writing != null) {
        if (previous == null || !index.comparableWith(previous)) {
          writing.resyncAll();
        } else {
          index.changedSince(previous).forEach(writing::add);
        }
      }
    } catch (RuntimeException e) {
      LOG.error(
          "Report {} could not be taken; statuses stay as the previous report left them",
          next.sequence(),
          e);
    } finally {
      reportsIndexed = next.sequence();
    }
  }

  /**
   * Starts the writing side: informers on Upstreams, GatewayClasses, Gateways and HTTPRoutes, and
   * the workers. Idempotent while started; may be called again after {@link #stop()}.
   */
  public synchronized void start() {
    if (closed || reconciler != null) {
      return;
    }
    StatusReconciler started =
        new StatusReconciler(client, settings, writer, lastWritten, () -> latest, clock);
    reconciler = started;
    started.start();
    LOG.info(
        "Status reporter writing{}",
        settings.namespaces().isEmpty()
            ? " in all namespaces"
            : " in namespaces " + settings.namespaces());
  }

  /**
   * Stops the writing side (a write in progress finishes first) and forgets what was written:
   * whoever writes next starts from the objects as they are. Reports are still taken. Idempotent.
   */
  public synchronized void stop() {
    StatusReconciler stopping = reconciler;
    if (stopping == null) {
      return;
    }
    reconciler = null;
    stopping.close();
    lastWritten.invalidateAll();
    LOG.info("Status reporter stopped writing");
  }

  /** Whether the writing side runs. */
  public boolean isWriting() {
    return reconciler != null;
  }

  /** Whether the writing side runs and its informers have listed every object. */
  public boolean hasSynced() {
    StatusReconciler writing = reconciler;
    return writing != null && writing.hasSynced();
  }

  /**
   * Queues every object for a reconcile (the writing side must run); at steady state this writes
   * nothing.
   */
  public void resyncAll() {
    StatusReconciler writing = reconciler;
    if (writing != null) {
      writing.resyncAll();
    }
  }

  /**
   * Work not done yet: a report not indexed yet counts one, plus the objects queued or being
   * reconciled. Zero means the reporter has caught up with every report and event so far.
   */
  public int pendingWork() {
    StatusReconciler writing = reconciler;
    int report = reportsSubmitted.get() == reportsIndexed ? 0 : 1;
    return report + (writing == null ? 0 : writing.pending());
  }

  /** Stops writing and the report thread. Idempotent. */
  @Override
  public void close() {
    synchronized (this) {
      stop();
      closed = true;
    }
    reportThread.shutdown();
    try {
      if (!reportThread.awaitTermination(10, TimeUnit.SECONDS)) {
        reportThread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reportThread.shutdownNow();
    }
  }
}
