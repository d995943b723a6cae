package dev.fairlead.app;

import dev.fairlead.discovery.ReconcilerSettings;
import dev.fairlead.discovery.UpstreamReconciler;
import dev.fairlead.provisioner.ProxyReconciler;
import dev.fairlead.reporter.StatusReporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;

/**
 * What only the leader runs: discovery's Upstream writes (when discovery is on), the managed fleets
 * (when the provisioner is on) and the status reporter's writing side. Started when this replica
 * becomes the leader and stopped when it stops being one, as often as that happens; each start
 * builds discovery and the provisioner afresh and lists everything again, so it never acts on what
 * it saw in an earlier term.
 *
 * <p>Thread-safe: start and stop are serialized.
 */
final class Writers implements AutoCloseable {

  private final KubernetesClient client;
  private final KubernetesOptions options;
  private final ReconcilerSettings settings;
  private final MeterRegistry registry;
  private final StatusReporter reporter;
  private Optional<UpstreamReconciler> reconciler = Optional.empty();
  private Optional<ProxyReconciler> provisioner = Optional.empty();
  private boolean running;

  Writers(
      KubernetesClient client,
      KubernetesOptions options,
      ReconcilerSettings settings,
      MeterRegistry registry,
      StatusReporter reporter) {
    this.client = client;
    this.options = options;
    this.settings = settings;
    this.registry = registry;
    this.reporter = reporter;
  }

  synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    if (options.discovery()) {
      UpstreamReconciler started =
          new UpstreamReconciler(client, options.scope(), settings, registry);
      reconciler = Optional.of(started);
      started.start();
    }
    options
        .provisioner()
        .ifPresent(
            provisionerOptions -> {
              ProxyReconciler started =
                  new ProxyReconciler(
                      client, options.watchNamespaces(), provisionerOptions, settings.coalescing());
              provisioner = Optional.of(started);
              started.start();
            });
    reporter.start();
  }

  synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    reporter.stop();
    reconciler.ifPresent(UpstreamReconciler::close);
    reconciler = Optional.empty();
    provisioner.ifPresent(ProxyReconciler::close);
    provisioner = Optional.empty();
  }

  /** Whether the writers run. */
  synchronized boolean isRunning() {
    return running;
  }

  /** Whether the writers run and their informers have synced. */
  synchronized boolean hasSynced() {
    return running
        && reconciler.map(UpstreamReconciler::hasSynced).orElse(true)
        && provisioner.map(ProxyReconciler::hasSynced).orElse(true)
        && reporter.hasSynced();
  }

  @Override
  public void close() {
    stop();
  }
}
