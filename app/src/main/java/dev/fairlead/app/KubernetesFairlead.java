package dev.fairlead.app;

import dev.fairlead.discovery.ClusterStateSource;
import dev.fairlead.discovery.ReconcilerSettings;
import dev.fairlead.discovery.UpstreamReconciler;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fairlead in Kubernetes mode: informers feed the {@link ControlPlane}, and (unless disabled) the
 * Service to Upstream reconciler writes discovered Upstreams. The client belongs to the caller, who closes it
 * after this. {@link #start} returns at once; proxies are served from the first state built after every informer
 * has synced ({@link #hasSynced}).
 */
public final class KubernetesFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFairlead.class);

  private final ControlPlane controlPlane;
  private final ClusterStateSource source;
  private final Optional<UpstreamReconciler> reconciler;

  private KubernetesFairlead(ControlPlane controlPlane, ClusterStateSource source,
      Optional<UpstreamReconciler> reconciler) {
    this.controlPlane = controlPlane;
    this.source = source;
    this.reconciler = reconciler;
  }

  public static KubernetesFairlead start(KubernetesOptions options, KubernetesClient client, MeterRegistry registry) {
    ControlPlane controlPlane = ControlPlane.start(options.xdsAddress(), options.xdsPort(), options.listenerAddress());
    ClusterStateSource source = new ClusterStateSource(client, options.watchNamespaces(), options.coalescing(),
        registry, state -> controlPlane.publish(state, object -> null));
    Optional<UpstreamReconciler> reconciler = options.discovery()
        ? Optional.of(new UpstreamReconciler(client, options.scope(),
            new ReconcilerSettings(options.coalescing(), 4, Duration.ofMinutes(10)), registry))
        : Optional.empty();
    try {
      source.start();
      reconciler.ifPresent(UpstreamReconciler::start);
    } catch (RuntimeException e) {
      reconciler.ifPresent(UpstreamReconciler::close);
      source.close();
      controlPlane.close();
      throw e;
    }
    LOG.info("Serving the cluster at {} over xDS on {}:{}{}", client.getMasterUrl(), options.xdsAddress(),
        controlPlane.xdsPort(), options.discovery() ? ", discovering Services into Upstreams" : "");
    return new KubernetesFairlead(controlPlane, source, reconciler);
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** Whether every informer has synced (and so the configuration served reflects the cluster). */
  public boolean hasSynced() {
    return source.hasSynced() && reconciler.map(UpstreamReconciler::hasSynced).orElse(true);
  }

  @Override
  public void close() {
    reconciler.ifPresent(UpstreamReconciler::close);
    source.close();
    controlPlane.close();
  }
}
