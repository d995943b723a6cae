package dev.fairlead.app;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.allocator.EndpointAllocator;
import dev.fairlead.allocator.UnallocatedStatus;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.tls.ServerTransport;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code fairlead run}: serves xDS until stopped — from a directory of files ({@code --config-dir}, standalone
 * mode) or from a Kubernetes cluster (the default). Every flag can also be set by its environment variable.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Serve Envoy configuration over xDS, from a Kubernetes cluster or, with --config-dir, from files.")
final class RunCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--config-dir", defaultValue = "${env:FAIRLEAD_CONFIG_DIR}",
      description = "Standalone mode: a directory of YAML files (Upstream, Gateway, HTTPRoute, Service, "
          + "EndpointSlice, ConfigMap), watched for changes. Env: FAIRLEAD_CONFIG_DIR.")
  Path configDir;

  @Option(names = "--kubeconfig", defaultValue = "${env:FAIRLEAD_KUBECONFIG}",
      description = "Kubernetes mode: kubeconfig file; without it, $KUBECONFIG, ~/.kube/config or the in-cluster "
          + "service account. Env: FAIRLEAD_KUBECONFIG.")
  Path kubeconfig;

  @Option(names = "--watch-namespaces", defaultValue = "${env:FAIRLEAD_WATCH_NAMESPACES:-}", split = ",",
      description = "Kubernetes mode: namespaces to watch, comma-separated; all when empty. "
          + "Env: FAIRLEAD_WATCH_NAMESPACES.")
  List<String> watchNamespaces;

  @Option(names = "--watch-namespace-selector", defaultValue = "${env:FAIRLEAD_WATCH_NAMESPACE_SELECTOR:-}",
      description = "Kubernetes mode: discover Services only in namespaces with these labels (k=v,k2=v2); "
          + "excludes --watch-namespaces. Env: FAIRLEAD_WATCH_NAMESPACE_SELECTOR.")
  String namespaceSelector;

  @Option(names = "--watch-labels", defaultValue = "${env:FAIRLEAD_WATCH_LABELS:-}",
      description = "Kubernetes mode: discover only Services with these labels (k=v,k2=v2); the annotation "
          + "fairlead.dev/discover: \"true\"|\"false\" overrides per Service. Env: FAIRLEAD_WATCH_LABELS.")
  String watchLabels;

  @Option(names = "--discovery", defaultValue = "${env:FAIRLEAD_DISCOVERY:-true}", arity = "1",
      description = "Kubernetes mode: turn Service ports into Upstreams. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_DISCOVERY.")
  boolean discovery;

  @Option(names = "--leader-election", defaultValue = "${env:FAIRLEAD_LEADER_ELECTION:-true}", arity = "1",
      description = "Kubernetes mode: replicas elect, with a Lease, the one that runs discovery and status writes; "
          + "false makes this replica write unconditionally. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_LEADER_ELECTION.")
  boolean leaderElection;

  @Option(names = "--leader-election-namespace", defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_NAMESPACE}",
      description = "Kubernetes mode: namespace of the Lease; default: the client's namespace (the pod's in a "
          + "cluster). Env: FAIRLEAD_LEADER_ELECTION_NAMESPACE.")
  String leaderElectionNamespace;

  @Option(names = "--leader-election-lease-name",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_LEASE_NAME:-" + LeaderElectionOptions.DEFAULT_LEASE_NAME + "}",
      description = "Kubernetes mode: name of the Lease. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_LEADER_ELECTION_LEASE_NAME.")
  String leaseName;

  @Option(names = "--leader-election-identity", defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_IDENTITY}",
      description = "Kubernetes mode: this replica's name in the Lease; default: the host name with a random "
          + "suffix. Env: FAIRLEAD_LEADER_ELECTION_IDENTITY.")
  String leaderIdentity;

  @Option(names = "--leader-election-lease-duration",
      defaultValue = "${env:FAIRLEAD_LEADER_ELECTION_LEASE_DURATION:-15s}",
      description = "Kubernetes mode: how long a Lease not renewed keeps others from taking it over (whole "
          + "seconds, e.g. 15s; at least 2s). Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LEADER_ELECTION_LEASE_DURATION.")
  String leaseDuration;

  @Option(names = "--xds-address", defaultValue = "${env:FAIRLEAD_XDS_ADDRESS:-127.0.0.1}",
      description = "Address the xDS gRPC server binds to. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_ADDRESS.")
  String xdsAddress;

  @Option(names = "--xds-port", defaultValue = "${env:FAIRLEAD_XDS_PORT:-18000}",
      description = "Port of the xDS gRPC server. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_PORT.")
  int xdsPort;

  @Option(names = "--xds-tls-cert", defaultValue = "${env:FAIRLEAD_XDS_TLS_CERT}",
      description = "PEM certificate chain the xDS server presents; re-read when it changes. "
          + "Env: FAIRLEAD_XDS_TLS_CERT.")
  Path xdsTlsCert;

  @Option(names = "--xds-tls-key", defaultValue = "${env:FAIRLEAD_XDS_TLS_KEY}",
      description = "PEM (PKCS#8) private key of --xds-tls-cert; re-read when it changes. Env: FAIRLEAD_XDS_TLS_KEY.")
  Path xdsTlsKey;

  @Option(names = "--xds-tls-ca", defaultValue = "${env:FAIRLEAD_XDS_TLS_CA}",
      description = "PEM CA certificates; when given, xDS clients must present a certificate signed by one of them. "
          + "Re-read when it changes. Env: FAIRLEAD_XDS_TLS_CA.")
  Path xdsTlsCa;

  @Option(names = "--xds-plaintext", defaultValue = "${env:FAIRLEAD_XDS_PLAINTEXT:-false}",
      description = "Serve xDS without TLS. Start-up fails unless this or --xds-tls-cert and --xds-tls-key are given. "
          + "Env: FAIRLEAD_XDS_PLAINTEXT.")
  boolean xdsPlaintext;

  @Option(names = "--listener-address", defaultValue = "${env:FAIRLEAD_LISTENER_ADDRESS:-127.0.0.1}",
      description = "Address Envoy listeners bind to (0.0.0.0 to accept traffic from other hosts). "
          + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LISTENER_ADDRESS.")
  String listenerAddress;

  @Option(names = "--allocator-address", defaultValue = "${env:FAIRLEAD_ALLOCATOR_ADDRESS:-127.0.0.1}",
      description = "Kubernetes mode: address of the allocation API (gRPC and HTTP). Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_ALLOCATOR_ADDRESS.")
  String allocatorAddress;

  @Option(names = "--allocator-grpc-port", defaultValue = "${env:FAIRLEAD_ALLOCATOR_GRPC_PORT:-18081}",
      description = "Kubernetes mode: gRPC port of the allocation API (fairlead.allocation.v1). "
          + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_ALLOCATOR_GRPC_PORT.")
  int allocatorGrpcPort;

  @Option(names = "--allocator-http-port", defaultValue = "${env:FAIRLEAD_ALLOCATOR_HTTP_PORT:-18082}",
      description = "Kubernetes mode: HTTP/JSON port of the allocation API. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_ALLOCATOR_HTTP_PORT.")
  int allocatorHttpPort;

  @Option(names = "--allocator-unallocated-status-code",
      defaultValue = "${env:FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE:-429}",
      description = "HTTP status the allocation API answers when nothing is free: 429 or 500-599; the gRPC code "
          + "follows it (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, ...). Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE.")
  String unallocatedStatusCode;

  @Option(names = "--allocator-max-ttl", defaultValue = "${env:FAIRLEAD_ALLOCATOR_MAX_TTL:-24h}",
      description = "Kubernetes mode: the longest ttl an allocation request may ask for (longer ones are refused "
          + "with 400/INVALID_ARGUMENT), and how long an allocation requested without a ttl is held: a whole number "
          + "of seconds, minutes or hours such as 3600s, 90m or 24h. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_ALLOCATOR_MAX_TTL.")
  String allocatorMaxTtl;

  @Option(names = "--log-format", defaultValue = "${env:FAIRLEAD_LOG_FORMAT:-text}",
      description = "text (human-readable) or json (one object per line); lines about an object carry its kind, "
          + "namespace, name and uid. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LOG_FORMAT.")
  String logFormat;

  @Option(names = "--log-level", defaultValue = "${env:FAIRLEAD_LOG_LEVEL:-info}",
      description = "Level of Fairlead's own log lines: error, warn, info, debug or trace (libraries log at warn). "
          + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LOG_LEVEL.")
  String logLevel;

  @Option(names = "--admin-address", defaultValue = "${env:FAIRLEAD_ADMIN_ADDRESS:-127.0.0.1}",
      description = "Address of the admin HTTP server (/healthz, /readyz, /metrics, /debug/...). "
          + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_ADMIN_ADDRESS.")
  String adminAddress;

  @Option(names = "--admin-port", defaultValue = "${env:FAIRLEAD_ADMIN_PORT:-18090}",
      description = "Port of the admin HTTP server; 0 picks a free one. Default: ${DEFAULT-VALUE}. "
          + "Env: FAIRLEAD_ADMIN_PORT.")
  int adminPort;

  /** Every meter of the process, shown in Prometheus form at the admin server's /metrics. */
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Option(names = "--allocator-tls-cert", defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_CERT}",
      description = "Kubernetes mode: PEM certificate chain the allocation API (gRPC and HTTP) presents; re-read when "
          + "it changes. Env: FAIRLEAD_ALLOCATOR_TLS_CERT.")
  Path allocatorTlsCert;

  @Option(names = "--allocator-tls-key", defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_KEY}",
      description = "Kubernetes mode: PEM (PKCS#8) private key of --allocator-tls-cert; re-read when it changes. "
          + "Env: FAIRLEAD_ALLOCATOR_TLS_KEY.")
  Path allocatorTlsKey;

  @Option(names = "--allocator-tls-ca", defaultValue = "${env:FAIRLEAD_ALLOCATOR_TLS_CA}",
      description = "Kubernetes mode: PEM CA certificates; when given, allocation API clients must present a "
          + "certificate signed by one of them. Re-read when it changes. Env: FAIRLEAD_ALLOCATOR_TLS_CA.")
  Path allocatorTlsCa;

  @Option(names = "--allocator-token-file", defaultValue = "${env:FAIRLEAD_ALLOCATOR_TOKEN_FILE}",
      description = "Kubernetes mode: a file holding a token every allocation API request must carry "
          + "(Authorization: Bearer <token>); re-read when it changes. Env: FAIRLEAD_ALLOCATOR_TOKEN_FILE.")
  Path allocatorTokenFile;

  @Option(names = "--allocator-plaintext", defaultValue = "${env:FAIRLEAD_ALLOCATOR_PLAINTEXT:-false}",
      description = "Kubernetes mode: serve the allocation API without TLS. Start-up fails unless this or "
          + "--allocator-tls-cert and --allocator-tls-key are given. Env: FAIRLEAD_ALLOCATOR_PLAINTEXT.")
  boolean allocatorPlaintext;

  @Override
  public Integer call() throws InterruptedException {
    try {
      Logging.use(Logging.format(logFormat), Logging.level(logLevel));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    AutoCloseable running = configDir != null ? standalone() : kubernetes();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        running.close();
      } catch (Exception e) {
        System.err.println("fairlead: shutting down: " + e.getMessage());
      }
      stopped.countDown();
    }, "fairlead-shutdown"));
    stopped.await();
    return 0;
  }

  private AutoCloseable standalone() {
    return StandaloneFairlead.start(StandaloneOptions.of(configDir, xdsAddress, xdsPort, xdsTransport(),
        listenerAddress).withAdmin(admin()).withUnallocatedStatus(unallocatedStatus().httpCode()), registry);
  }

  private AdminOptions admin() {
    try {
      return new AdminOptions(adminAddress, adminPort);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private AutoCloseable kubernetes() {
    KubernetesOptions options;
    try {
      options = new KubernetesOptions(xdsAddress, xdsPort, xdsTransport(), listenerAddress,
          Set.copyOf(nonEmpty(watchNamespaces)), labels("--watch-namespace-selector", namespaceSelector),
          labels("--watch-labels", watchLabels), discovery, CoalescingDelay.DEFAULT, allocatorOptions())
          .withAdmin(admin());
      if (leaderElection) {
        options = options.withLeaderElection(new LeaderElectionOptions(blankToNull(leaderElectionNamespace),
            leaseName, leaderIdentity == null || leaderIdentity.isBlank()
                ? LeaderElectionOptions.identity(hostName()) : leaderIdentity, seconds(leaseDuration)));
      }
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
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

  /** A duration of whole seconds written {@code <n>s}. */
  private static java.time.Duration seconds(String value) {
    if (value == null || !value.matches("[0-9]{1,6}s")) {
      throw new IllegalArgumentException("--leader-election-lease-duration: expected whole seconds such as 15s, was "
          + value);
    }
    return java.time.Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1)));
  }

  private Duration maxTtl() {
    Duration maxTtl = wholeUnits("--allocator-max-ttl", allocatorMaxTtl);
    try {
      return EndpointAllocator.checkedMaxTtl(maxTtl);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--allocator-max-ttl: " + e.getMessage(), e);
    }
  }

  /** A positive duration of whole seconds, minutes or hours: {@code 3600s}, {@code 90m}, {@code 24h}. */
  private static Duration wholeUnits(String flag, String value) {
    if (value == null || !value.matches("[0-9]{1,9}[smh]") || value.matches("0+[smh]")) {
      throw new IllegalArgumentException(flag + ": expected a positive whole number of seconds, minutes or hours such "
          + "as 3600s, 90m or 24h, was " + value);
    }
    long amount = Long.parseLong(value.substring(0, value.length() - 1));
    return switch (value.charAt(value.length() - 1)) {
      case 's' -> Duration.ofSeconds(amount);
      case 'm' -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }

  private static String hostName() {
    String fromEnvironment = System.getenv("HOSTNAME");
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      return fromEnvironment;
    }
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "fairlead";
    }
  }

  private AllocatorOptions allocatorOptions() {
    ServerTransport transport = new TransportFlags("the allocation API", "allocator", allocatorTlsCert,
        allocatorTlsKey, allocatorTlsCa, allocatorPlaintext).transport();
    return new AllocatorOptions(allocatorAddress, allocatorGrpcPort, allocatorHttpPort, unallocatedStatus(),
        maxTtl(),
        AllocatorSecurity.of(transport, Optional.ofNullable(TransportFlags.given(allocatorTokenFile))));
  }

  /** How the xDS server protects its port; choosing neither TLS nor plaintext stops start-up. */
  private ServerTransport xdsTransport() {
    try {
      return new TransportFlags("the xDS server", "xds", xdsTlsCert, xdsTlsKey, xdsTlsCa, xdsPlaintext).transport();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** The configured "nothing to allocate" status; a value outside 429 and 500-599 stops start-up. */
  private UnallocatedStatus unallocatedStatus() {
    try {
      return UnallocatedStatus.parse(unallocatedStatusCode);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--allocator-unallocated-status-code: " + e.getMessage());
    }
  }

  private Config clientConfig() {
    if (kubeconfig == null) {
      return Config.autoConfigure(null);
    }
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
    }
  }

  private static List<String> nonEmpty(List<String> values) {
    return values == null ? List.of() : values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
  }

  /** {@code k=v,k2=v2} as a map; a malformed pair stops start-up naming the flag. */
  private Map<String, String> labels(String flag, String value) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (String pair : Arrays.stream(value == null ? new String[0] : value.split(","))
        .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toList())) {
      int eq = pair.indexOf('=');
      if (eq <= 0 || eq == pair.length() - 1) {
        throw new ParameterException(spec.commandLine(),
            flag + " takes labels as key=value,key2=value2; '" + pair + "' is not key=value");
      }
      labels.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
    }
    return labels;
  }
}
