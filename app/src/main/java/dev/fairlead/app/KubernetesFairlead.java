package dev.fairlead.app;

import dev.fairlead.allocator.AllocationKey;
import dev.fairlead.allocator.AllocationServer;
import dev.fairlead.allocator.AllocationSweeper;
import dev.fairlead.allocator.EndpointAllocator;
import dev.fairlead.allocator.PodLabels;
import dev.fairlead.api.params.FleetStatuses;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.app.admin.AdminServer;
import dev.fairlead.app.admin.JvmMeters;
import dev.fairlead.app.admin.Readiness;
import dev.fairlead.discovery.ClusterStateSource;
import dev.fairlead.discovery.ReconcilerSettings;
import dev.fairlead.provisioner.ProxyCertificateAuthority;
import dev.fairlead.reporter.ReporterSettings;
import dev.fairlead.reporter.StatusReporter;
import dev.fairlead.xds.translate.Translation;
import dev.fairlead.xds.translate.TranslatorOptions;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Fairlead in Kubernetes mode: informers feed the {@link ControlPlane} and the allocation
 * API serves, on every replica; on the elected leader only (or on the one replica, without
 * election) the Service to Upstream reconciler writes discovered Upstreams (unless disabled) and
 * the {@link StatusReporter} writes the status of every Upstream, and of Fairlead's GatewayClasses,
 * Gateways and HTTPRoute parent entries, from each translation's verdicts and what the proxies of
 * every replica hold and reject ({@link Writers}, {@link FleetProxies}: each replica publishes its
 * proxies' record, {@link ReplicaRecords}); with leader election, those writes go through a client
 * that sends none unless this replica still holds the Lease ({@link LeaseFence}); the admin server
 * answers health, readiness (every informer synced and the first configuration in the xDS cache),
 * metrics and debug requests on every replica. The client belongs to the caller, who closes it
 * after this. {@link #start} returns at once; proxies are served from the first state built after
 * every informer has synced ({@link #hasSynced}).
 */
public final class KubernetesFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KubernetesFairlead.class);
  private static final int ALLOCATION_ATTEMPTS = 8;
  private static final Duration SWEEP_PERIOD = Duration.ofSeconds(10);
  private static final int SWEEP_LIMIT = 100;

  /**
   * How often a replica rewrites its record of its proxies when nothing changed ({@link
   * ReplicaRecords}).
   */
  private static final Duration RECORD_HEARTBEAT = Duration.ofSeconds(5);

  /** How long a replica's record not seen to change still counts: four heartbeats. */
  private static final Duration RECORD_TTL = Duration.ofSeconds(20);

  /**
   * This replica's name in its own tallies without leader election, where it is the only one and
   * publishes none.
   */
  private static final String SOLE_REPLICA = "fairlead";

  private final ControlPlane controlPlane;
  private final ClusterStateSource source;
  private final Writers writers;
  private final AllocationServer allocationServer;
  private final AdminServer admin;

  /** Everything started, newest first: closing stops it in reverse order of start. */
  private final Deque<AutoCloseable> running;

  private KubernetesFairlead(
      ControlPlane controlPlane,
      ClusterStateSource source,
      Writers writers,
      AllocationServer allocationServer,
      AdminServer admin,
      Deque<AutoCloseable> running) {
    this.controlPlane = controlPlane;
    this.source = source;
    this.writers = writers;
    this.allocationServer = allocationServer;
    this.admin = admin;
    this.running = running;
  }

  public static KubernetesFairlead start(
      KubernetesOptions given, KubernetesClient client, MeterRegistry registry) {
    Deque<AutoCloseable> running = new ArrayDeque<>();
    try {
      KubernetesOptions options = withXdsCa(given, client);
      AllocationTokens tokens = AllocationKey.readOrCreate(client, ownNamespace(options, client));
      ControlPlane controlPlane =
          started(
              running,
              ControlPlane.start(
                  options.xdsAddress(),
                  options.xdsPort(),
                  options.xdsTransport(),
                  options.xdsProxyIdentity(),
                  new TranslatorOptions(
                      options.listenerAddress(),
                      options.allocator().unallocatedStatus().httpCode(),
                      tokens),
                  registry,
                  options.xdsWarmUp()));
      started(running, JvmMeters.bind(registry));
      Readiness readiness = new Readiness();
      Optional<LeaseFence> fence =
          options
              .leaderElection()
              .map(election -> new LeaseFence(election.renewDeadline(), System::nanoTime));
      KubernetesClient writing = fence.map(f -> started(running, fenced(client, f))).orElse(client);
      StatusReporter reporter =
          started(
              running,
              new StatusReporter(
                  writing,
                  ReporterSettings.DEFAULT.withNamespaces(options.watchNamespaces()),
                  registry));
      AtomicReference<Writers> leaderWriters = new AtomicReference<>();
      String replica =
          options.leaderElection().map(LeaderElectionOptions::identity).orElse(SOLE_REPLICA);
      Optional<ReplicaRecords> records =
          options
              .leaderElection()
              .map(
                  election ->
                      started(
                          running,
                          new ReplicaRecords(
                              client,
                              ownNamespace(options, client),
                              election.identity(),
                              RECORD_HEARTBEAT,
                              RECORD_TTL,
                              () -> leaderWriters.get() != null && leaderWriters.get().isRunning(),
                              writing)));
      records.ifPresent(ReplicaRecords::start);
      AtomicReference<FleetProxies> fleetProxies = new AtomicReference<>();
      StatusFeed feed =
          started(running, new StatusFeed(() -> fleetProxies.get().view(), reporter::report));
      FleetProxies proxies =
          started(
              running,
              new FleetProxies(
                  replica, controlPlane.streams(), controlPlane.cache(), records, feed::changed));
      fleetProxies.set(proxies);
      // With one replica (no election) /debug/proxies is that replica's, without a replica column.
      AdminServer admin =
          started(
              running,
              records.isPresent()
                  ? AdminServer.start(
                      options.admin().address(),
                      options.admin().port(),
                      readiness,
                      controlPlane.streams(),
                      controlPlane.cache(),
                      registry,
                      proxies::proxiesDocument)
                  : AdminServer.start(
                      options.admin().address(),
                      options.admin().port(),
                      readiness,
                      controlPlane.streams(),
                      controlPlane.cache(),
                      registry));
      TranslationCandidates candidates = new TranslationCandidates(new PodLabels(client));
      boolean provisioned = options.provisioner().isPresent();
      ClusterStateSource source =
          started(
              running,
              new ClusterStateSource(
                  client,
                  options.watchNamespaces(),
                  options.coalescing(),
                  registry,
                  state -> {
                    Translation translation = controlPlane.publish(state, object -> null);
                    candidates.translated(translation);
                    proxies.translated(translation);
                    feed.translated(translation, FleetStatuses.of(state, provisioned));
                  },
                  provisioned));
      source.start();
      Writers writers =
          started(
              running,
              new Writers(
                  writing,
                  options,
                  new ReconcilerSettings(options.coalescing(), 4, Duration.ofMinutes(10)),
                  registry,
                  reporter));
      leaderWriters.set(writers);
      Optional<LeaderElection> election =
          options
              .leaderElection()
              .map(
                  settings ->
                      started(
                          running,
                          new LeaderElection(
                              client,
                              settings,
                              fence.orElseThrow(),
                              writers::start,
                              writers::stop)));
      election.ifPresentOrElse(LeaderElection::start, writers::start);
      EndpointAllocator allocator =
          started(
              running,
              new EndpointAllocator(
                  client,
                  candidates,
                  options.allocator().unallocatedStatus(),
                  registry,
                  Clock.systemUTC(),
                  ALLOCATION_ATTEMPTS,
                  options.allocator().maxTtl(),
                  tokens));
      allocator.start();
      AllocationServer allocationServer =
          started(
              running,
              AllocationServer.start(
                  allocator,
                  options.allocator().address(),
                  options.allocator().grpcPort(),
                  options.allocator().httpPort(),
                  options.allocator().security()));
      started(running, new AllocationSweeper(allocator, SWEEP_PERIOD, SWEEP_LIMIT));
      LOG.info(
          "Serving the cluster at {} over xDS on {}:{}{}",
          client.getMasterUrl(),
          options.xdsAddress(),
          controlPlane.xdsPort(),
          options.discovery() ? ", discovering Services into Upstreams" : "");
      LOG.info(
          "Allocation API on {} (gRPC port {}, HTTP port {}); nothing free answers {}",
          options.allocator().address(),
          allocationServer.grpcPort(),
          allocationServer.httpPort(),
          options.allocator().unallocatedStatus().httpCode());
      KubernetesFairlead fairlead =
          new KubernetesFairlead(controlPlane, source, writers, allocationServer, admin, running);
      readiness
          .require("informers", "not every informer has synced yet", fairlead::hasSynced)
          .require(
              "configuration",
              "no configuration has been built and put in the xDS cache yet",
              () -> controlPlane.publishedConfigurations() > 0)
          .started();
      return fairlead;
    } catch (RuntimeException e) {
      closeAll(running);
      throw e;
    }
  }

  /**
   * {@code options} with Fairlead's xDS CA, when they ask for it: read or created in Fairlead's
   * namespace, the xDS server's certificate written where the transport reads it, and the
   * provisioner issuing fleets' certificates.
   */
  private static KubernetesOptions withXdsCa(KubernetesOptions options, KubernetesClient client) {
    if (options.xdsCa().isEmpty()) {
      return options;
    }
    XdsCaOptions xdsCa = options.xdsCa().get();
    ProxyCertificateAuthority ca = xdsCa.prepare(client, ownNamespace(options, client));
    LOG.info(
        "xDS is mutual TLS of Fairlead's CA ({}), the server's certificate for {}",
        ca.ca(),
        xdsCa.serverNames());
    return options.withProvisioner(
        options.provisioner().map(provisioner -> provisioner.withCa(ca)));
  }

  /**
   * Fairlead's own namespace, where the Secrets of the allocation key and of the xDS CA live: the
   * Lease's (the chart sets it to the release's), else the client's (the pod's, in a cluster), else
   * {@code default}.
   */
  private static String ownNamespace(KubernetesOptions options, KubernetesClient client) {
    return options
        .leaderElection()
        .map(LeaderElectionOptions::namespace)
        .orElseGet(() -> Objects.requireNonNullElse(client.getNamespace(), "default"));
  }

  /**
   * A client of the same cluster, for the leader's writers, that sends no write while {@code fence}
   * is closed: the fence is an interceptor of its HTTP client, so every write of discovery, the
   * provisioner and the reporter passes it, whatever module it is in.
   */
  private static KubernetesClient fenced(KubernetesClient client, LeaseFence fence) {
    return new KubernetesClientBuilder()
        .withConfig(client.getConfiguration())
        .withHttpClientBuilderConsumer(
            builder -> builder.addOrReplaceInterceptor("fairlead-lease-fence", fence))
        .build();
  }

  private static <T extends AutoCloseable> T started(Deque<AutoCloseable> running, T part) {
    running.push(part);
    return part;
  }

  private static void closeAll(Deque<AutoCloseable> running) {
    AutoCloseable part;
    while ((part = running.poll()) != null) {
      try {
        part.close();
      } catch (Exception e) {
        LOG.warn("Stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
      }
    }
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  /**
   * Whether every informer has synced (and so the configuration served reflects the cluster): those
   * of the ClusterState on every replica, and those of discovery and status writing where they run.
   */
  public boolean hasSynced() {
    return source.hasSynced() && (!writers.isRunning() || writers.hasSynced());
  }

  /**
   * Whether this replica runs discovery and status writes (the leader, or the only replica without
   * election).
   */
  public boolean isWriting() {
    return writers.isRunning();
  }

  public int allocationHttpPort() {
    return allocationServer.httpPort();
  }

  public int allocationGrpcPort() {
    return allocationServer.grpcPort();
  }

  /** The port of the admin server (health, readiness, metrics, debug). */
  public int adminPort() {
    return admin.port();
  }

  @Override
  public void close() {
    closeAll(running);
  }
}
