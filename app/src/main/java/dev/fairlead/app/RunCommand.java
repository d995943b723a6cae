package dev.fairlead.app;

import dev.fairlead.app.admin.BuildInfo;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.tls.ServerTransport;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code fairlead run}: serves xDS until stopped — from a directory of files ({@code --config-dir},
 * standalone mode) or from a Kubernetes cluster (the default). Every flag can also be set by its
 * environment variable.
 *
 * <p>The flags come in groups, one picocli mixin per part they configure ({@link KubernetesFlags},
 * {@link LeaderElectionFlags}, {@link XdsFlags}, {@link ProvisionerFlags}, {@link AllocatorFlags},
 * {@link LogFlags}, {@link AdminFlags}), each turning its values into that part's options; a value
 * a group cannot use stops start-up with a message naming the flag.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Serve Envoy configuration over xDS, from a Kubernetes cluster or, with --config-dir, from files.")
final class RunCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--config-dir",
      defaultValue = "${env:FAIRLEAD_CONFIG_DIR}",
      description =
          "Standalone mode: a directory of YAML files (Upstream, Gateway, HTTPRoute, Service, "
              + "EndpointSlice, ConfigMap), watched for changes. Env: FAIRLEAD_CONFIG_DIR.")
  Path configDir;

  @Mixin KubernetesFlags cluster;

  @Mixin LeaderElectionFlags leaderElection;

  @Mixin XdsFlags xds;

  @Mixin ProvisionerFlags provisioner;

  @Option(
      names = "--listener-address",
      defaultValue = "${env:FAIRLEAD_LISTENER_ADDRESS:-127.0.0.1}",
      description =
          "Address Envoy listeners bind to (0.0.0.0 to accept traffic from other hosts). "
              + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LISTENER_ADDRESS.")
  String listenerAddress;

  @Mixin AllocatorFlags allocator;

  @Mixin LogFlags log;

  @Mixin AdminFlags admin;

  /** Every meter of the process, shown in Prometheus form at the admin server's /metrics. */
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Override
  public Integer call() throws InterruptedException {
    try {
      log.apply();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable running = configDir != null ? standalone() : kubernetes();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    running.close();
                  } catch (Exception e) {
                    System.err.println("fairlead: shutting down: " + e.getMessage());
                  }
                  stopped.countDown();
                },
                "fairlead-shutdown"));
    stopped.await();
    return 0;
  }

  private AutoCloseable standalone() {
    ServerTransport transport = usable(xds::transport);
    return StandaloneFairlead.start(
        StandaloneOptions.of(configDir, xds.address(), xds.port(), transport, listenerAddress)
            .withAdmin(usable(admin::options))
            .withXdsProxyIdentity(usable(() -> xds.proxyIdentity(transport)))
            .withUnallocatedStatus(usable(allocator::unallocatedStatus).httpCode())
            .withXdsWarmUp(usable(xds::warmUp)),
        registry);
  }

  private AutoCloseable kubernetes() {
    KubernetesOptions options =
        usable(
            () -> {
              Optional<XdsCaOptions> ca = xds.ca(provisioner.xdsHost());
              Optional<AllocatorCredentialsOptions> credentials = allocator.credentials();
              if (credentials.isPresent()) {
                ca =
                    Optional.of(
                        ca.orElseThrow(
                                () ->
                                    new IllegalArgumentException(
                                        "--allocator-credentials-secret needs "
                                            + "--xds-ca-secret: the allocation API's certificate is of Fairlead's own CA"))
                            .withAllocator(credentials.get()));
              }
              ServerTransport transport =
                  ca.isPresent() ? ServerTransport.tls(ca.get().files()) : xds.transport();
              KubernetesOptions flags =
                  new KubernetesOptions(
                          xds.address(),
                          xds.port(),
                          transport,
                          listenerAddress,
                          cluster.watchNamespaces(),
                          cluster.namespaceSelector(),
                          cluster.watchLabels(),
                          cluster.discovery(),
                          CoalescingDelay.DEFAULT,
                          allocator.options())
                      .withAdmin(admin.options())
                      .withProvisioner(provisioner.options(xds.port()))
                      .withXdsProxyIdentity(xds.proxyIdentity(transport))
                      .withXdsWarmUp(xds.warmUp());
              flags = ca.isPresent() ? flags.withXdsCa(ca.get()) : flags;
              Optional<LeaderElectionOptions> election = leaderElection.options();
              return election.isPresent() ? flags.withLeaderElection(election.get()) : flags;
            });
    Config config = cluster.clientConfig();
    config.setUserAgent(
        userAgent(
            BuildInfo.current().version(),
            options.leaderElection().map(LeaderElectionOptions::identity)));
    KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build();
    KubernetesFairlead fairlead;
    try {
      fairlead = KubernetesFairlead.start(options, client, registry);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
    return () -> {
      fairlead.close();
      client.close();
    };
  }

  /**
   * The {@code User-Agent} of every request this replica sends the API server: {@code
   * fairlead/<version>}, and with leader election {@code (<identity>)}, so the API server's audit
   * log and its request metrics say which replica of a fleet sent what. A character a header value
   * cannot carry (outside printable ASCII) becomes {@code _}.
   */
  static String userAgent(String version, Optional<String> identity) {
    String agent = "fairlead/" + version + identity.map(i -> " (" + i + ")").orElse("");
    return agent.replaceAll("[^\\x20-\\x7e]", "_");
  }

  /**
   * What {@code flags} make of the flags' values; one they cannot use stops start-up with their
   * message.
   */
  private <T> T usable(Supplier<T> flags) {
    try {
      return flags.get();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
