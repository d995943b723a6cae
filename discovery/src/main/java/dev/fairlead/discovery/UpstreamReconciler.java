package dev.fairlead.discovery;

import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.runtime.CoalescingWorkQueue;
import dev.fairlead.runtime.InformerEventHandler;
import dev.fairlead.runtime.InformerGroup;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one Upstream per port of every Service in {@link DiscoveryScope}: creates them, keeps the
 * fields discovery owns in line with the Service, and deletes them when the port, the Service, or
 * the Service's place in the scope goes. Discovery deletes them itself rather than leaving it to
 * the garbage collector, which would not notice a Service leaving the scope; an Upstream without
 * the label {@value DesiredUpstreams#DISCOVERED_BY_LABEL} is never written or deleted.
 *
 * <p>Level-triggered: informer events about Services, Upstreams (and Namespaces, when the scope
 * selects namespaces by label) only queue the name of the Service concerned; a worker then
 * reconciles that Service from the informer caches as they are at that moment: {@link
 * DesiredUpstreams} decides, {@link UpstreamDecision} compares with what exists, and {@link
 * UpstreamWriter} writes only what differs in a field discovery owns, so a steady state, a restart,
 * or a {@link #resyncAll() resync} issues no writes at all. Events about one Service coalesce
 * ({@link ReconcilerSettings#coalescing()}).
 *
 * <p>Concurrency contract: {@link ReconcilerSettings#workers()} threads reconcile, never two of
 * them the same Service at once. Workers start only once every informer has synced, so nothing is
 * decided from a half-filled cache. A reconcile that fails (other than by conflicts, which the
 * writer retries) is logged at WARN and retried with a growing backoff. {@link #start()} and {@link
 * #close()} are called once each, from any thread; the other methods from any thread at any time.
 * The reconciler is independent of {@link ClusterStateSource}: it has its own informers, so it can
 * run only where it should write (on the elected leader). To run it again after {@link #close()},
 * build a new one.
 *
 * <p>Metrics: {@code fairlead_discovery_reconciles_total}, and the writer's {@code
 * fairlead_discovery_writes_total{operation}} and {@code fairlead_discovery_conflicts_total}.
 */
public final class UpstreamReconciler implements AutoCloseable {

  /** The field manager of discovery's server-side applies. */
  public static final String FIELD_MANAGER = UpstreamWriter.FIELD_MANAGER;

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamReconciler.class);
  private static final String SERVICE_INDEX = "fairlead.dev/service";
  private static final int WRITE_ATTEMPTS = 6;
  private static final Duration FIRST_CONFLICT_BACKOFF = Duration.ofMillis(50);
  private static final Duration FIRST_FAILURE_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_FAILURE_BACKOFF = Duration.ofMinutes(2);

  private final DiscoveryScope scope;
  private final UpstreamWriter writer;
  private final Counter reconciles;
  private final CoalescingWorkQueue<NamespacedName> queue;
  private final InformerGroup<Service> services;
  private final InformerGroup<Upstream> upstreams;
  private final InformerGroup<Namespace> namespaces;

  /** Consecutive failed reconciles per Service, for the retry backoff. */
  private final Map<NamespacedName, Integer> failures = new ConcurrentHashMap<>();

  /** UIDs of Upstreams already reported as in the way, so each is reported once. */
  private final Set<String> reportedNotOurs = ConcurrentHashMap.newKeySet();

  /**
   * Set by {@link #close}: informers that stop then, before they synced, were stopped on purpose.
   */
  private volatile boolean closed;

  private volatile boolean synced;

  /**
   * @param client the client to watch and write with; the caller keeps ownership and closes it
   *     after this
   * @param scope which Services are discovered
   * @param settings workers, coalescing and resync
   * @param registry where the metrics go
   */
  public UpstreamReconciler(
      KubernetesClient client,
      DiscoveryScope scope,
      ReconcilerSettings settings,
      MeterRegistry registry) {
    Objects.requireNonNull(client, "client");
    this.scope = Objects.requireNonNull(scope, "scope");
    this.writer = new UpstreamWriter(client, registry, WRITE_ATTEMPTS, FIRST_CONFLICT_BACKOFF);
    this.reconciles =
        Counter.builder("fairlead.discovery.reconciles")
            .description("Services reconciled into Upstreams")
            .register(registry);
    this.queue =
        new CoalescingWorkQueue<>(
            "fairlead-discovery", settings.coalescing(), settings.workers(), this::reconcile);
    long resyncMillis = settings.resyncPeriod().toMillis();
    this.services =
        new InformerGroup<>(
            "Service",
            true,
            scope.namespaces(),
            ns ->
                ns == null ? client.services().inAnyNamespace() : client.services().inNamespace(ns),
            resyncMillis);
    this.upstreams =
        new InformerGroup<>(
            "Upstream",
            true,
            scope.namespaces(),
            ns ->
                ns == null
                    ? client.resources(Upstream.class).inAnyNamespace()
                    : client.resources(Upstream.class).inNamespace(ns),
            resyncMillis);
    this.upstreams.addIndexer(
        SERVICE_INDEX, u -> discoveredFrom(u).map(NamespacedName::toString).stream().toList());
    this.services.addEventHandler(
        InformerEventHandler.forEachObject(service -> queue.add(NamespacedName.of(service))));
    this.upstreams.addEventHandler(
        InformerEventHandler.<Upstream>of(
            this::upstreamChanged,
            (oldUpstream, newUpstream) -> {
              upstreamChanged(oldUpstream);
              upstreamChanged(newUpstream);
            },
            this::upstreamDeleted));
    if (scope.selectsNamespacesByLabel()) {
      this.namespaces =
          new InformerGroup<>("Namespace", false, Set.of(), ns -> client.namespaces(), 0);
      this.namespaces.addEventHandler(
          InformerEventHandler.forEachObject(
              namespace -> queueNamespace(namespace.getMetadata().getName())));
    } else {
      this.namespaces = null;
    }
  }

  /** Starts the informers; workers start reconciling once all have synced. */
  public void start() {
    List<CompletableFuture<Void>> starts = new ArrayList<>();
    starts.add(services.start());
    starts.add(upstreams.start());
    if (namespaces != null) {
      starts.add(namespaces.start());
    }
    var unused =
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new))
            .whenComplete(
                (ignored, failure) -> {
                  if (failure != null) {
                    if (closed) {
                      // Closed before the first list completed (a replica losing the lease at
                      // once): nothing went wrong.
                      LOG.debug("Stopped before the informers synced: {}", failure.toString());
                    } else {
                      LOG.error(
                          "Discovery's informers did not sync; no Upstream will be reconciled",
                          failure);
                    }
                    return;
                  }
                  synced = true;
                  LOG.info(
                      "Discovery started: {} Services and {} Upstreams cached, scope {}",
                      services.list().size(),
                      upstreams.list().size(),
                      scope);
                  queue.start();
                });
  }

  /** Whether every informer has synced and the workers run. */
  public boolean hasSynced() {
    return synced;
  }

  /**
   * Queues every Service in the cache, and every Service a discovered Upstream names, for a
   * reconcile. When the caches match the Services, this writes nothing.
   */
  public void resyncAll() {
    services.list().forEach(service -> queue.add(NamespacedName.of(service)));
    upstreams.list().forEach(upstream -> discoveredFrom(upstream).ifPresent(queue::add));
  }

  /**
   * Services queued or being reconciled; zero when discovery has caught up with every event so far.
   */
  public int pendingReconciles() {
    return queue.size();
  }

  /** Stops the informers and the workers; a reconcile in progress finishes first. Idempotent. */
  @Override
  public void close() {
    closed = true;
    services.close();
    upstreams.close();
    if (namespaces != null) {
      namespaces.close();
    }
    queue.close();
  }

  /** Reconciles one Service; runs on a worker, never concurrently for the same Service. */
  private void reconcile(NamespacedName key) {
    reconciles.increment();
    Service service = services.get(key.namespace(), key.name());
    try (ObjectLog scope =
        ObjectLog.of(
            "Service",
            key.namespace(),
            key.name(),
            service == null ? "" : service.getMetadata().getUid())) {
      reconcileOrThrow(key);
      failures.remove(key);
    } catch (UpstreamWriteException | KubernetesClientException e) {
      int failed = failures.merge(key, 1, Integer::sum);
      Duration backoff = failureBackoff(failed);
      LOG.warn(
          "Reconciling Service {} failed ({} in a row), retrying in {} ms: {}",
          key,
          failed,
          backoff.toMillis(),
          e.getMessage());
      queue.addAfter(key, backoff);
    }
  }

  private void reconcileOrThrow(NamespacedName key) {
    Service service = services.get(key.namespace(), key.name());
    String whyAbsent;
    Map<String, DesiredUpstream> desired = new LinkedHashMap<>();
    if (service == null) {
      whyAbsent = "Service " + key + " no longer exists";
    } else if (!scope.includes(service, namespaceLabels(key.namespace()))) {
      whyAbsent =
          "Service "
              + key
              + " (uid "
              + service.getMetadata().getUid()
              + ") is not in discovery's scope";
    } else {
      whyAbsent =
          "Service " + key + " (uid " + service.getMetadata().getUid() + ") has no such TCP port";
      DesiredUpstreams.forService(service).forEach(d -> desired.put(d.name(), d));
    }
    Set<String> names = new TreeSet<>(desired.keySet());
    upstreams
        .byIndex(SERVICE_INDEX, key.namespace(), key.toString())
        .forEach(u -> names.add(u.getMetadata().getName()));
    for (String name : names) {
      DesiredUpstream want = desired.get(name);
      Upstream existing = upstreams.get(key.namespace(), name);
      UpstreamDecision decision =
          UpstreamDecision.decide(key, want, existing, whyAbsent, FIELD_MANAGER);
      if (decision instanceof UpstreamDecision.Write write) {
        writer.write(
            write, fresh -> UpstreamDecision.decide(key, want, fresh, whyAbsent, FIELD_MANAGER));
      } else if (decision instanceof UpstreamDecision.NotOurs notOurs
          && reportedNotOurs.add(notOurs.uid())) {
        try (ObjectLog scope =
            ObjectLog.of("Upstream", notOurs.namespace(), notOurs.name(), notOurs.uid())) {
          LOG.warn(
              "Service {} wants Upstream {}/{}, but {}: left untouched (uid {})",
              key,
              notOurs.namespace(),
              notOurs.name(),
              notOurs.why(),
              notOurs.uid());
        }
      }
    }
  }

  /** The labels of a namespace, when the scope reads them; null for a namespace not (yet) known. */
  private Map<String, String> namespaceLabels(String namespace) {
    if (namespaces == null) {
      return Map.of();
    }
    Namespace ns = namespaces.get("", namespace);
    if (ns == null) {
      return null;
    }
    return ns.getMetadata().getLabels() == null ? Map.of() : ns.getMetadata().getLabels();
  }

  private void upstreamChanged(Upstream upstream) {
    discoveredFrom(upstream).ifPresent(queue::add);
  }

  private void upstreamDeleted(Upstream upstream) {
    Optional<NamespacedName> service = discoveredFrom(upstream);
    if (service.isPresent()) {
      queue.add(service.get());
    } else {
      // Perhaps it stood in the way of an Upstream some Service of its namespace wants.
      queueNamespace(upstream.getMetadata().getNamespace());
    }
  }

  private void queueNamespace(String namespace) {
    services.inNamespace(namespace).forEach(service -> queue.add(NamespacedName.of(service)));
  }

  /**
   * The Service a discovered Upstream was discovered from; empty for an Upstream discovery did not
   * create.
   */
  private static Optional<NamespacedName> discoveredFrom(Upstream upstream) {
    Map<String, String> labels = upstream.getMetadata().getLabels();
    if (labels == null
        || !DesiredUpstreams.DISCOVERED_BY_VALUE.equals(
            labels.get(DesiredUpstreams.DISCOVERED_BY_LABEL))
        || labels.get(DesiredUpstreams.SERVICE_LABEL) == null) {
      return Optional.empty();
    }
    return Optional.of(
        new NamespacedName(
            upstream.getMetadata().getNamespace(), labels.get(DesiredUpstreams.SERVICE_LABEL)));
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
