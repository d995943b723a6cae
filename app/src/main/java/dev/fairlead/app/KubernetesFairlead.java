package dev.fairlead.app;

import dev.fairlead.allocator.AllocationServer;
import dev.fairlead.allocator.AllocationSweeper;
import dev.fairlead.allocator.EndpointAllocator;
import dev.fairlead.discovery.ClusterStateSource;
import dev.fairlead.discovery.ReconcilerSettings;
import dev.fairlead.discovery.UpstreamReconciler;
import dev.fairlead.reporter.ReporterSettings;
import dev.fairlead.reporter.StatusReporter;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import dev.fairlead.xds.translate.Translation;
import java.time.Clock;
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
  private static final int ALLOCATION_ATTEMPTS = 8;
  private static final Duration SWEEP_PERIOD = Duration.ofSeconds(10);
  private static final int SWEEP_LIMIT = 100;

  private final ControlPlane controlPlane;
  private final ClusterStateSource source;
  private final Optional<UpstreamReconciler> reconciler;
  private final StatusReporter reporter;
  private final StatusFeed feed;
  private final EndpointAllocator allocator;
  private final AllocationServer allocationServer;
  private final AllocationSweeper sweeper;

  private KubernetesFairlead(ControlPlane controlPlane, ClusterStateSource source,
      Optional<UpstreamReconciler> reconciler, StatusReporter reporter, StatusFeed feed, EndpointAllocator allocator,
      AllocationServer allocationServer, AllocationSweeper sweeper) {
    this.controlPlane = controlPlane;
    this.source = source;
    this.reconciler = reconciler;
    this.reporter = reporter;
    this.feed = feed;
    this.allocator = allocator;
    this.allocationServer = allocationServer;
    this.sweeper = sweeper;
  }

  public static KubernetesFairlead start(KubernetesOptions options, KubernetesClient client, MeterRegistry registry) {
    ControlPlane controlPlane = ControlPlane.start(options.xdsAddress(), options.xdsPort(), options.listenerAddress());
    StatusReporter reporter = new StatusReporter(client,
        ReporterSettings.DEFAULT.withNamespaces(options.watchNamespaces()), registry);
    StatusFeed feed = new StatusFeed(controlPlane.streams(), reporter::report);
    TranslationCandidates candidates = new TranslationCandidates();
    ClusterStateSource source = new ClusterStateSource(client, options.watchNamespaces(), options.coalescing(),
        registry, state -> {
          Translation translation = controlPlane.publish(state, object -> null);
          candidates.translated(translation);
          feed.translated(translation);
        });
    EndpointAllocator allocator = new EndpointAllocator(client, candidates, options.allocator().unallocatedStatus(),
        registry, Clock.systemUTC(), ALLOCATION_ATTEMPTS);
    AllocationServer allocationServer = null;
    AllocationSweeper sweeper = null;
    Optional<UpstreamReconciler> reconciler = options.discovery()
        ? Optional.of(new UpstreamReconciler(client, options.scope(),
            new ReconcilerSettings(options.coalescing(), 4, Duration.ofMinutes(10)), registry))
        : Optional.empty();
    try {
      source.start();
      reconciler.ifPresent(UpstreamReconciler::start);
      reporter.start();
      allocator.start();
      allocationServer = AllocationServer.start(allocator, options.allocator().address(),
          options.allocator().grpcPort(), options.allocator().httpPort());
      sweeper = new AllocationSweeper(allocator, SWEEP_PERIOD, SWEEP_LIMIT);
    } catch (RuntimeException e) {
      if (allocationServer != null) {
        allocationServer.close();
      }
      allocator.close();
      reporter.close();
      feed.close();
      reconciler.ifPresent(UpstreamReconciler::close);
      source.close();
      controlPlane.close();
      throw e;
    }
    LOG.info("Serving the cluster at {} over xDS on {}:{}{}", client.getMasterUrl(), options.xdsAddress(),
        controlPlane.xdsPort(), options.discovery() ? ", discovering Services into Upstreams" : "");
    LOG.info("Allocation API on {} (gRPC port {}, HTTP port {}); nothing free answers {}",
        options.allocator().address(), allocationServer.grpcPort(), allocationServer.httpPort(),
        options.allocator().unallocatedStatus().httpCode());
    return new KubernetesFairlead(controlPlane, source, reconciler, reporter, feed, allocator, allocationServer,
        sweeper);
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /** Whether every informer has synced (and so the configuration served reflects the cluster). */
  public boolean hasSynced() {
    return source.hasSynced() && reconciler.map(UpstreamReconciler::hasSynced).orElse(true) && reporter.hasSynced();
  }

  public int allocationHttpPort() {
    return allocationServer.httpPort();
  }

  public int allocationGrpcPort() {
    return allocationServer.grpcPort();
  }

  @Override
  public void close() {
    sweeper.close();
    allocationServer.close();
    allocator.close();
    reporter.close();
    feed.close();
    reconciler.ifPresent(UpstreamReconciler::close);
    source.close();
    controlPlane.close();
  }
}
