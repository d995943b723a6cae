package dev.fairlead.e2e;

import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.FaultyLinks;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The parts a soak runs against: two Fairlead replicas as processes from a shaded jar — this
 * build's, or another such as {@link PreviousBuild}'s — each in a fixed slot with its own xDS,
 * allocator and admin ports on 127.0.0.1, so a restarted replica comes back where it was, and one
 * Envoy whose ADS cluster lists both replicas, as a Service in front of them would. Each slot
 * reaches the API server through a link of its own ({@link FaultyLinks}), so a fault on it hits
 * that replica alone. A replica gets only the flags its build knows (read from its {@code run
 * --help}). Every process it starts is stopped by {@link #close()}.
 */
final class SoakSystem implements AutoCloseable {

  static final String NAMESPACE = "default";
  static final String LEASE = "fairlead";
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** Flags without which the soak cannot run a replica: a build lacking one cannot take part. */
  private static final Set<String> REQUIRED =
      Set.of(
          "--kubeconfig",
          "--watch-labels",
          "--xds-port",
          "--allocator-grpc-port",
          "--allocator-http-port",
          "--admin-port",
          "--leader-election-namespace",
          "--leader-election-identity");

  /** A replica's place: its name (Lease identity) and ports, which survive restarts. */
  record Slot(
      String name, int xdsPort, int allocatorGrpcPort, int allocatorHttpPort, int adminPort) {

    static Slot named(String name) {
      return new Slot(
          name,
          LoopbackPorts.free(),
          LoopbackPorts.free(),
          LoopbackPorts.free(),
          LoopbackPorts.free());
    }
  }

  private final RealApiServer apiServer;
  private final Envoys envoys;

  /**
   * Each slot's link to the API server, and the kubeconfig that points its replica at it, by slot
   * name.
   */
  private final Map<String, FaultyLinks.Link> links = new ConcurrentHashMap<>();

  private final Map<String, Path> kubeconfigs = new ConcurrentHashMap<>();
  private final String watchLabel;
  private final List<Slot> slots = List.of(Slot.named("fairlead-a"), Slot.named("fairlead-b"));
  private final Map<String, FairleadProcess> running = new ConcurrentHashMap<>();

  /** The jar each slot runs: this build's until {@link #start(Slot, List, Path)} says otherwise. */
  private final Map<String, Path> builds = new ConcurrentHashMap<>();

  private final Map<Path, Set<String>> options = new ConcurrentHashMap<>();

  /** Flags left out because the build started did not know them, as "flag (jar)". */
  private final Set<String> dropped = ConcurrentHashMap.newKeySet();

  private final Map<String, Integer> starts = new ConcurrentHashMap<>();
  private final List<FairleadProcess> started = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile EnvoyProcess envoy;
  private volatile AdsMode envoyMode = AdsMode.DELTA;

  SoakSystem(RealApiServer apiServer, Envoys envoys, FaultyLinks faults, String watchLabel) {
    this.apiServer = apiServer;
    this.envoys = envoys;
    this.watchLabel = watchLabel;
    int apiPort = apiServer.client().getMasterUrl().getPort();
    String kubeconfig;
    try {
      kubeconfig = Files.readString(apiServer.kubeconfig());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String direct = "https://127.0.0.1:" + apiPort;
    if (!kubeconfig.contains(direct)) {
      throw new IllegalStateException("the API server's kubeconfig does not name " + direct);
    }
    for (Slot slot : slots) {
      FaultyLinks.Link link = faults.link(slot.name() + "-api", apiPort);
      links.put(slot.name(), link);
      try {
        Path file = Files.createTempFile("soak-" + slot.name() + "-kubeconfig", ".yaml");
        Files.writeString(file, kubeconfig.replace(direct, "https://127.0.0.1:" + link.port()));
        kubeconfigs.put(slot.name(), file);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** The link through which {@code slot}'s replica reaches the API server. */
  FaultyLinks.Link apiLink(Slot slot) {
    return links.get(slot.name());
  }

  List<Slot> slots() {
    return slots;
  }

  boolean isRunning(Slot slot) {
    FairleadProcess process = running.get(slot.name());
    return process != null && process.isAlive();
  }

  List<Slot> runningSlots() {
    return slots.stream().filter(this::isRunning).toList();
  }

  /**
   * Starts the replica of {@code slot} from the build it ran last with {@code flags} ({@code
   * --name=value} or a bare {@code --name}) added to the usual ones, and waits until it is ready.
   */
  void start(Slot slot, List<String> flags) {
    start(slot, flags, build(slot));
  }

  /**
   * Like {@link #start(Slot, List)}, from the build {@code jar}, which the slot runs from now on.
   */
  void start(Slot slot, List<String> flags, Path jar) {
    builds.put(slot.name(), jar);
    int start = starts.merge(slot.name(), 1, Integer::sum);
    List<String> wanted =
        new ArrayList<>(
            List.of(
                "--kubeconfig=" + kubeconfigs.get(slot.name()),
                "--watch-labels=" + watchLabel,
                // A build from before TLS serves plaintext without being asked, and does not know
                // these flags.
                "--xds-plaintext",
                "--allocator-plaintext",
                "--xds-port=" + slot.xdsPort(),
                "--allocator-grpc-port=" + slot.allocatorGrpcPort(),
                "--allocator-http-port=" + slot.allocatorHttpPort(),
                "--admin-port=" + slot.adminPort(),
                "--leader-election-namespace=" + NAMESPACE,
                "--leader-election-identity=" + slot.name()));
    wanted.addAll(flags);
    Set<String> known = options.computeIfAbsent(jar, FairleadProcess::runOptions);
    List<String> arguments = new ArrayList<>();
    for (String flag : wanted) {
      String name = flag.contains("=") ? flag.substring(0, flag.indexOf('=')) : flag;
      if (known.contains(name)) {
        arguments.add(flag);
      } else if (REQUIRED.contains(name)) {
        throw new IllegalStateException(
            "the build " + jar + " does not know " + name + ", which the soak needs");
      } else {
        dropped.add(name + " (" + jar + ")");
      }
    }
    FairleadProcess process =
        FairleadProcess.start(slot.name() + "-" + start, jar, arguments, Map.of());
    running.put(slot.name(), process);
    started.add(process);
    await(slot.name() + " ready")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(slot.name() + " exited:\n" + process.log());
              }
              return get(slot, "/readyz").statusCode() == 200;
            });
  }

  /** The build {@code slot} runs, or ran last. */
  Path build(Slot slot) {
    return builds.getOrDefault(slot.name(), FairleadProcess.JAR);
  }

  /** The process of {@code slot}, if it runs. */
  Optional<FairleadProcess> process(Slot slot) {
    return Optional.ofNullable(running.get(slot.name())).filter(FairleadProcess::isAlive);
  }

  /** Flags left out of some start because that build did not know them. */
  Set<String> droppedFlags() {
    return Set.copyOf(dropped);
  }

  /** SIGKILL: nothing is released. */
  void kill(Slot slot) throws InterruptedException {
    FairleadProcess process = running.remove(slot.name());
    if (process != null) {
      process.kill();
    }
  }

  /** SIGTERM: the replica stops writing, releases the Lease and exits. */
  void stop(Slot slot) throws InterruptedException {
    FairleadProcess process = running.remove(slot.name());
    if (process != null) {
      process.close();
    }
  }

  /** The replica holding the Lease, if any. */
  Optional<Slot> leader() {
    Lease lease = apiServer.client().leases().inNamespace(NAMESPACE).withName(LEASE).get();
    String holder =
        lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    return slots.stream().filter(s -> s.name().equals(holder) && isRunning(s)).findFirst();
  }

  HttpResponse<String> get(Slot slot, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + slot.adminPort() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * (Re)starts Envoy in {@code mode}, its ADS cluster listing every slot, and waits until it is
   * ready.
   */
  EnvoyProcess startEnvoy(AdsMode mode) {
    EnvoyProcess previous = envoy;
    if (previous != null) {
      previous.close();
    }
    envoyMode = mode;
    envoy =
        envoys
            .start(
                EnvoyBootstrap.ads(slots.get(0).xdsPort(), mode)
                    .withStandbyXdsPorts(
                        slots.subList(1, slots.size()).stream().map(Slot::xdsPort).toList())
                    .withNode("soak-edge", NAMESPACE + "/edge"))
            .awaitReady(Duration.ofSeconds(90));
    return envoy;
  }

  EnvoyProcess envoy() {
    return envoy;
  }

  AdsMode envoyMode() {
    return envoyMode;
  }

  /** The log of every replica process started so far, running or not, by process name. */
  Map<String, String> logs() {
    Map<String, String> logs = new java.util.TreeMap<>();
    started.forEach(process -> logs.put(process.name(), process.log()));
    return logs;
  }

  @Override
  public void close() throws Exception {
    for (FairleadProcess process : running.values()) {
      process.close();
    }
    running.clear();
    if (envoy != null) {
      envoy.close();
    }
    for (Path file : kubeconfigs.values()) {
      Files.deleteIfExists(file);
    }
  }
}
