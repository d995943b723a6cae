package dev.fairlead.app;

import dev.fairlead.discovery.ClusterStateSource;
import dev.fairlead.discovery.ReconcilerSettings;
import dev.fairlead.discovery.UpstreamReconciler;
import dev.fairlead.reporter.ReporterSettings;
import dev.fairlead.reporter.StatusReporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fairlead in Kubernetes mode: informers feed the {@link ControlPlane}; (unless disabled) the Service to
 * Upstream reconciler writes discovered Upstreams; and the {@link StatusReporter} writes the status of every
 * Upstream, Gateway and HTTPRoute from each translation's verdicts and the proxies' rejections. The client belongs
 * to the caller, who closes it after this. {@link #start} returns at once; proxies are served from the first state built after every informer
 * has synced ({@link #hasSynced}).
 */
public final class KubernetesFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFairlead.class);

  private final ControlPlane controlPlane;
  private final ClusterStateSource source;
  private final Optional<UpstreamReconciler> reconciler;
  private final StatusReporter reporter;
  private final StatusFeed feed;

  private KubernetesFairlead(ControlPlane controlPlane, ClusterStateSource source,
      Optional<UpstreamReconciler> reconciler, StatusReporter reporter, StatusFeed feed) {
    this.controlPlane = controlPlane;
    this.source = source;
    this.reconciler = reconciler;
    this.reporter = reporter;
    this.feed = feed;
  }

  public static KubernetesFairlead start(KubernetesOptions options, KubernetesClient client, MeterRegistry registry) {
    ControlPlane controlPlane = ControlPlane.start(options.xdsAddress(), options.xdsPort(), options.listenerAddress());
    StatusReporter reporter = new StatusReporter(client,
        ReporterSettings.DEFAULT.withNamespaces(options.watchNamespaces()), registry);
    StatusFeed feed = new StatusFeed(controlPlane.streams(), reporter::report);
    ClusterStateSource source = new ClusterStateSource(client, options.watchNamespaces(), options.coalescing(),
        registry, state -> feed.translated(controlPlane.publish(state, object -> null)));
    Optional<UpstreamReconciler> reconciler = options.discovery()
        ? Optional.of(new UpstreamReconciler(client, options.scope(),
            new ReconcilerSettings(options.coalescing(), 4, Duration.ofMinutes(10)), registry))
        : Optional.empty();
    try {
      source.start();
      reconciler.ifPresent(UpstreamReconciler::start);
      reporter.start();
    } catch (RuntimeException e) {
      reporter.close();
      feed.close();
      reconciler.ifPresent(UpstreamReconciler::close);
      source.close();
      controlPlane.close();
      throw e;
    }
    LOG.info("Serving the cluster at {} over xDS on {}:{}{}", client.getMasterUrl(), options.xdsAddress(),
        controlPlane.xdsPort(), options.discovery() ? ", discovering Services into Upstreams" : "");
    return new KubernetesFairlead(controlPlane, source, reconciler, reporter, feed);
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** Whether every informer has synced (and so the configuration served reflects the cluster). */
  public boolean hasSynced() {
    return source.hasSynced() && reconciler.map(UpstreamReconciler::hasSynced).orElse(true) && reporter.hasSynced();
  }

  @Override
  public void close() {
    reporter.close();
    feed.close();
    reconciler.ifPresent(UpstreamReconciler::close);
    source.close();
    controlPlane.close();
  }
}
