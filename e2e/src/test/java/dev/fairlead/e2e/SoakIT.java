package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.Backends;
import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.GrpcBackend;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.NetnsBackend;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestHosts;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.xds.XdsNameResolverProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The soak harness: a <b>wanderer</b> that changes the system on a timer (kills a replica or the leader with
 * SIGKILL, restarts a replica with another flag set, scales two replicas to one and back, restarts Envoy in the
 * other ADS mode, rolls the replicas one at a time to the previous build and back ({@link PreviousBuild}), restarts
 * the kube-apiserver process on the same etcd), a <b>producer</b> that keeps bounded real load on it (HTTP through
 * Envoy, calls through gRPC's own xDS client, EndpointSlice churn, user edits of an Upstream, allocations and
 * releases) and a <b>monitor</b> that checks service levels all the while (Envoy holds the endpoints and the edited
 * setting the cluster says, within a bound; every Upstream is accepted within a bound; no endpoint is ever held
 * twice; traffic succeeds outside the disruptions announced for it; heap stays bounded and does not keep rising
 * after GC; no ERROR line is logged). It prints a summary table and fails on any failed check, keeping the logs
 * ({@code e2e/target/fairlead-*.log}, {@code e2e/target/kube-apiserver-restart-*.log}).
 *
 * <p>The wanderer draws its changes from a shuffled bag holding each kind once, so every kind occurs once in each
 * run of that many changes, and the run goes on past its duration (up to twice it) until every kind has occurred.
 * Fast mode (CI) runs 4 minutes with a change every 10 s; soak mode runs for hours:
 * {@code ./mvnw -B -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dfairlead.soak.mode=soak -Dfairlead.soak.duration=PT1H}. Every loop is
 * bounded, by count and by twice the run's duration; everything talks to 127.0.0.1.
 */
class SoakIT {

  private static final String WATCH_LABEL = "fairlead.dev/soak=yes";
  private static final String HTTP_TRAFFIC = "HTTP through Envoy";
  private static final String GRPC_TRAFFIC = "gRPC through its xDS client";
  private static final String API_WRITES = "API writes (churn, edits)";
  private static final String ECHO = "soak-echo";
  private static final String API_SERVER_RESTART = "API server restart";
  /** A replica whose heap after GC rose in each of its last this many windows, by more than the tolerance, leaks. */
  private static final int HEAP_WINDOWS = 4;
  private static final long HEAP_RISE_TOLERANCE_BYTES = 4L << 20;
  /**
   * How long a new replica's heap after GC may rise before it is judged: its soak runs showed it climbing about
   * 6 MiB over its first 40 s (classes, JIT, informer caches, first translations), then holding a plateau.
   */
  private static final Duration HEAP_WARM_UP = Duration.ofSeconds(60);
  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");
  /**
   * The ERROR lines a fault explains. The Kubernetes client's Vert.x HTTP client logs a connection the API server
   * reset, with no handler of its own for it, as ERROR: expected when the API server process is stopped.
   */
  private static final List<ServiceLevels.Explanation> EXPLAINED_ERRORS = List.of(
      new ServiceLevels.Explanation(API_SERVER_RESTART, "ConnectionBase", "Connection reset"));
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)");
  /** Replicas run with -Xmx256m: a leak would push used heap towards that; a healthy one stays well below. */
  private static final long HEAP_LIMIT_BYTES = 200L << 20;

  @RegisterExtension
  static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension
  static final Envoys ENVOYS = new Envoys();

  @RegisterExtension
  static final TestHosts HOSTS = new TestHosts();

  @RegisterExtension
  static final Backends BACKENDS = new Backends();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ServiceLevels levels = new ServiceLevels();
  /** What the cluster says now: the ready web endpoints and the edited connect timeout, and since when. */
  private final AtomicReference<Expected> expected = new AtomicReference<>();
  /** Endpoint → allocation name, for allocations a client holds. */
  private final Map<String, String> held = new ConcurrentHashMap<>();
  private final int listenerPort = LoopbackPorts.free();
  /** The web backends whose readiness the churn flips; set once before the loops start. */
  private volatile List<NetnsBackend> webBackends = List.of();
  /** Counted down when the run ends: every loop stops at its next pause. */
  private final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

  private record Expected(Set<String> readyAddresses, String connectTimeout, Instant since) {
  }

  @BeforeAll
  static void installCrds() throws Exception {
    E2eObjects.installCrds(API_SERVER);
  }

  @Test
  void fairleadKeepsServingThroughRestartsFaultsAndChurn() throws Exception {
    SoakSettings settings = SoakSettings.fromSystemProperties();
    System.out.printf("SOAK mode=%s duration=%s period=%s seed=%d (replay with -Dfairlead.soak.seed=%d)%n",
        settings.mode(), settings.duration(), settings.period(), settings.seed(), settings.seed());
    PreviousBuild.Lookup previous = PreviousBuild.locate(Path.of(""));
    System.out.println("SOAK previous build: " + (previous instanceof PreviousBuild.Available available
        ? available.build().describe() + ", " + available.build().jar()
        : "none, upgrades skipped: " + ((PreviousBuild.Unavailable) previous).reason()));
    List<NetnsBackend> web = List.of(HOSTS.http("soak-web-1"), HOSTS.http("soak-web-2"), HOSTS.http("soak-web-3"));
    List<NetnsBackend> game = List.of(HOSTS.http("soak-game-1"), HOSTS.http("soak-game-2"),
        HOSTS.http("soak-game-3"), HOSTS.http("soak-game-4"));
    GrpcBackend echo = BACKENDS.grpc(ECHO);
    createObjects(web, game, echo);

    try (SoakSystem system = new SoakSystem(API_SERVER, ENVOYS, WATCH_LABEL)) {
      for (SoakSystem.Slot slot : system.slots()) {
        system.start(slot, List.of());
      }
      enableAllocationMode();
      system.startEnvoy(AdsMode.DELTA);
      await("traffic flows before the run starts").atMost(settings.bound()).ignoreExceptions()
          .until(() -> get("/web").statusCode() == 200);
      ManagedChannel grpc = xdsChannel(system.slots().get(0));
      try {
        await("gRPC's xDS client reaches " + ECHO + " before the run starts").atMost(settings.bound())
            .ignoreExceptions().until(() -> ECHO.equals(GrpcBackend.whoAmI(grpc)));
        run(system, settings, previous, grpc);
      } finally {
        grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }

      List<ServiceLevels.Row> rows = serviceLevels(system, settings, previous);
      System.out.println("SOAK summary (seed " + settings.seed() + ", actions " + levels.actions() + ")\n"
          + ServiceLevels.table(rows));
      levels.heapAfterGc().forEach((process, samples) -> System.out.println("SOAK heap after GC of " + process
          + ": " + samples.stream().map(ServiceLevels::mebibytes).toList()));
      if (!system.droppedFlags().isEmpty()) {
        System.out.println("SOAK flags an older build did not know, left out: " + system.droppedFlags());
      }
      levels.violations().stream().limit(20).forEach(v -> System.out.println("SOAK violation: " + v));
      assertThat(rows).allSatisfy(row -> assertThat(row.passed()).as(row.check() + ": " + row.measured()).isTrue());
    }
  }

  /**
   * The producer, monitor and wanderer loops. The wanderer decides when the run ends: at the duration, or later once
   * it has made every kind of change (on a slow machine), and at twice the duration at the latest; the other loops
   * then end at their next pause, as they do when any loop fails.
   */
  private void run(SoakSystem system, SoakSettings settings, PreviousBuild.Lookup previous, ManagedChannel grpc)
      throws Exception {
    Instant deadline = Instant.now().plus(settings.duration());
    Instant latest = Instant.now().plus(settings.duration().multipliedBy(2));
    ExecutorService loops = Executors.newFixedThreadPool(7);
    Future<?> wanderer = loops.submit(() -> wander(system, settings, previous, deadline, latest));
    List<Future<?>> others = List.of(
        loops.submit(() -> traffic(latest)),
        loops.submit(() -> grpcCalls(grpc, latest)),
        loops.submit(() -> churn(latest)),
        loops.submit(() -> allocations(system, latest)),
        loops.submit(() -> monitor(system, settings, latest)),
        loops.submit(() -> heapAfterGc(system, settings, latest)));
    long bound = settings.duration().multipliedBy(2).toSeconds() + 300;
    try {
      wanderer.get(bound, TimeUnit.SECONDS);
      stopped.countDown();
      for (Future<?> future : others) {
        future.get(bound, TimeUnit.SECONDS);
      }
    } finally {
      stopped.countDown();
      loops.shutdown();
      if (!loops.awaitTermination(60, TimeUnit.SECONDS)) {
        loops.shutdownNow();
      }
    }
  }

  // ---- producer ----

  /** HTTP through Envoy every 50 ms: a success is a 200 from one of the web backends. */
  private void traffic(Instant deadline) {
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      Instant at = Instant.now();
      long start = System.nanoTime();
      boolean ok;
      try {
        HttpResponse<String> response = get("/web");
        ok = response.statusCode() == 200 && response.headers().firstValue(HttpBackend.IDENTITY_HEADER).isPresent();
      } catch (Exception e) {
        ok = false;
      }
      levels.request(HTTP_TRAFFIC, at, Duration.ofNanos(System.nanoTime() - start), ok);
      pause(50);
    }
  }

  /**
   * Every 100 ms a call through gRPC's own xDS client, which resolved {@code xds:///echo.soak} from a Fairlead
   * replica and calls the backend directly: a success is the answer of {@link #ECHO}.
   */
  private void grpcCalls(ManagedChannel channel, Instant deadline) {
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      Instant at = Instant.now();
      long start = System.nanoTime();
      boolean ok;
      try {
        ok = ECHO.equals(GrpcBackend.whoAmI(channel));
      } catch (RuntimeException e) {
        ok = false;
      }
      levels.request(GRPC_TRAFFIC, at, Duration.ofNanos(System.nanoTime() - start), ok);
      pause(100);
    }
  }

  /**
   * Every 2 s one web endpoint turns ready or not; every 8 s a user edits the web Upstream's connect timeout. What
   * the cluster says is updated after each write that succeeded; a failed write counts against {@link #API_WRITES}
   * unless it fell in an announced API server disruption.
   */
  private void churn(Instant deadline) {
    Random random = new Random();
    long round = 0;
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      round++;
      if (round % 4 == 0) {
        String timeout = expected.get().connectTimeout().equals("2s") ? "3s" : "2s";
        if (write(() -> API_SERVER.client().resources(Upstream.class).inNamespace(SoakSystem.NAMESPACE)
            .withName("web-http")
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"connectTimeout\": \"" + timeout + "\"}}"))) {
          expected.updateAndGet(now -> new Expected(now.readyAddresses(), timeout, Instant.now()));
          levels.count("edits");
        }
      }
      NetnsBackend flipped = webBackends.get(1 + random.nextInt(webBackends.size() - 1));
      Set<String> ready = new TreeSet<>(expected.get().readyAddresses());
      if (!ready.remove(flipped.address())) {
        ready.add(flipped.address());
      }
      if (write(() -> applySlice("web", webBackends, ready))) {
        expected.updateAndGet(now -> new Expected(ready, now.connectTimeout(), Instant.now()));
        levels.count("endpoint changes");
      }
      pause(2000);
    }
  }

  /** One write to the API server as a user makes it, recorded as {@link #API_WRITES}; whether it succeeded. */
  private boolean write(Runnable write) {
    Instant at = Instant.now();
    long start = System.nanoTime();
    try {
      write.run();
      levels.request(API_WRITES, at, Duration.ofNanos(System.nanoTime() - start), true);
      return true;
    } catch (RuntimeException e) {
      levels.request(API_WRITES, at, Duration.ofNanos(System.nanoTime() - start), false);
      levels.count("API writes failed: " + e.getClass().getSimpleName());
      return false;
    }
  }

  /** Every 300 ms: allocate (TTL 60 s) through a running replica, and release what is held after a while. */
  private void allocations(SoakSystem system, Instant deadline) {
    Random random = new Random();
    List<String> mine = new ArrayList<>();
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      List<SoakSystem.Slot> up = system.runningSlots();
      if (!up.isEmpty()) {
        SoakSystem.Slot slot = up.get(random.nextInt(up.size()));
        String base = "http://127.0.0.1:" + slot.allocatorHttpPort() + "/v1/namespaces/default/allocations";
        try {
          if (mine.size() >= 3 || (!mine.isEmpty() && random.nextBoolean())) {
            String name = mine.remove(random.nextInt(mine.size()));
            held.values().remove(name);
            HttpResponse<String> released = http.send(HttpRequest.newBuilder(URI.create(base + "/" + name))
                .DELETE().timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            levels.count(released.statusCode() == 200 ? "releases" : "releases not done");
          } else {
            HttpResponse<String> allocated = http.send(HttpRequest.newBuilder(URI.create(base))
                .header("content-type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString("{\"upstream\": \"game-http\", \"ttl\": \"60s\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
            if (allocated.statusCode() == 201) {
              JsonNode json = JSON.readTree(allocated.body());
              String endpoint = json.path("endpoint").path("address").asText() + ":"
                  + json.path("endpoint").path("port").asInt();
              String name = json.path("name").asText();
              String other = held.putIfAbsent(endpoint, name);
              if (other != null) {
                levels.violation("endpoint " + endpoint + " allocated as " + name + " while " + other + " holds it");
                levels.count("double allocations");
              }
              mine.add(name);
              levels.count("allocations");
            } else {
              levels.count("allocation answers " + allocated.statusCode());
            }
          }
        } catch (Exception e) {
          levels.count("allocation calls cut off");
        }
      }
      pause(300);
    }
  }

  // ---- monitor ----

  /** Every second: Envoy holds what the cluster says (within the bound), statuses are accepted, heap is sampled. */
  private void monitor(SoakSystem system, SoakSettings settings, Instant deadline) {
    Instant configWrongSince = null;
    Instant statusWrongSince = null;
    Instant measured = null;
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      Instant now = Instant.now();
      try {
        Expected want = expected.get();
        EnvoyProcess envoy = system.envoy();
        if (envoy != null && envoy.isAlive() && envoy.isReady() && !system.runningSlots().isEmpty()) {
          String configDump = envoy.configDump();
          JsonNode dump = JSON.readTree(configDump);
          boolean matches = new TreeSet<>(E2eObjects.envoyEndpoints(configDump, "upstream/default/web-http"))
              .equals(want.readyAddresses())
              && want.connectTimeout().equals(connectTimeout(dump, "upstream/default/web-http"));
          configWrongSince = matches ? null : (configWrongSince == null ? now : configWrongSince);
          if (matches && !want.since().equals(measured)) {
            measured = want.since();
            levels.max("convergence lag ms", Duration.between(want.since(), now).toMillis());
          }
          if (configWrongSince != null
              && Duration.between(later(configWrongSince, want.since()), now).compareTo(settings.bound()) > 0) {
            levels.violation("Envoy has not held the cluster's endpoints and settings for "
                + ServiceLevels.seconds(Duration.between(later(configWrongSince, want.since()), now)));
            levels.count("config bound exceeded");
            configWrongSince = now;
          }
        }
        boolean accepted = accepted("web-http") && accepted("game-http") && accepted("echo");
        statusWrongSince = accepted ? null : (statusWrongSince == null ? now : statusWrongSince);
        if (statusWrongSince != null && Duration.between(statusWrongSince, now).compareTo(settings.bound()) > 0) {
          levels.violation("an Upstream has not been Accepted for " + settings.bound());
          levels.count("status bound exceeded");
          statusWrongSince = now;
        }
        for (SoakSystem.Slot slot : system.runningSlots()) {
          levels.max("heap bytes", heapBytes(system.get(slot, "/metrics").body()));
        }
      } catch (Exception e) {
        levels.count("monitor samples cut off");
      }
      pause(1000);
    }
  }

  /**
   * Every heap window, each running replica's used heap right after a full GC ({@code jcmd <pid> GC.run}, then its
   * {@code /metrics}): what it keeps, rather than what it has not collected yet. A replica leaking memory keeps
   * rising from window to window.
   */
  private void heapAfterGc(SoakSystem system, SoakSettings settings, Instant deadline) {
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      pause(settings.heapWindow().toMillis());
      for (SoakSystem.Slot slot : system.runningSlots()) {
        Optional<FairleadProcess> process = system.process(slot);
        if (process.isEmpty()) {
          continue;
        }
        try {
          CommandResult.run(List.of(JCMD.toString(), Long.toString(process.get().pid()), "GC.run"),
              Duration.ofSeconds(30)).requireSuccess();
          long bytes = heapBytes(system.get(slot, "/metrics").body());
          if (process.get().isAlive()) {
            levels.heapAfterGc(process.get().name(), bytes);
          }
        } catch (Exception e) {
          levels.count("heap-after-GC samples cut off");
        }
      }
    }
  }

  private static long heapBytes(String metrics) {
    Matcher heap = HEAP.matcher(metrics);
    long bytes = 0;
    while (heap.find()) {
      bytes += (long) Double.parseDouble(heap.group(1));
    }
    return bytes;
  }

  // ---- wanderer ----

  private enum Action {
    KILL_REPLICA, KILL_LEADER, RESTART_WITH_OTHER_FLAGS, SCALE_TO_ONE_AND_BACK, RESTART_ENVOY_OTHER_MODE,
    ROLL_TO_PREVIOUS_BUILD_AND_BACK, RESTART_API_SERVER
  }

  /**
   * Every period, one change drawn from a shuffled bag of every kind (refilled when empty); it waits for the system
   * to be whole again before the next. It stops at {@code deadline} once it has made every kind of change, and at
   * {@code latest} in any case.
   */
  private void wander(SoakSystem system, SoakSettings settings, PreviousBuild.Lookup previous, Instant deadline,
      Instant latest) {
    Random random = new Random(settings.seed());
    List<Action> kinds = new ArrayList<>(List.of(Action.values()));
    if (!(previous instanceof PreviousBuild.Available)) {
      kinds.remove(Action.ROLL_TO_PREVIOUS_BUILD_AND_BACK);
    }
    Deque<Action> bag = new ArrayDeque<>();
    List<String> flags = List.of("--log-format=text");
    int count = 0;
    Set<Action> done = EnumSet.noneOf(Action.class);
    while ((Instant.now().plus(settings.period()).isBefore(deadline) || !done.containsAll(kinds))
        && Instant.now().plus(settings.period()).isBefore(latest) && count < 10_000 && stopped.getCount() > 0) {
      pause(settings.period().toMillis());
      if (bag.isEmpty()) {
        List<Action> round = new ArrayList<>(kinds);
        Collections.shuffle(round, random);
        bag.addAll(round);
      }
      Action action = bag.poll();
      done.add(action);
      count++;
      levels.action(action.name());
      try {
        switch (action) {
          case KILL_REPLICA -> {
            SoakSystem.Slot slot = system.slots().get(random.nextInt(system.slots().size()));
            system.kill(slot);
            system.start(slot, flags);
          }
          case KILL_LEADER -> {
            Optional<SoakSystem.Slot> leader = system.leader();
            if (leader.isPresent()) {
              system.kill(leader.get());
              system.start(leader.get(), flags);
            }
          }
          case RESTART_WITH_OTHER_FLAGS -> {
            SoakSystem.Slot slot = system.slots().get(random.nextInt(system.slots().size()));
            flags = List.of("--log-format=" + (random.nextBoolean() ? "json" : "text"),
                "--leader-election-lease-duration=" + (random.nextBoolean() ? "4s" : "8s"));
            system.stop(slot);
            system.start(slot, flags);
          }
          case SCALE_TO_ONE_AND_BACK -> {
            SoakSystem.Slot slot = system.slots().get(1);
            system.stop(slot);
            pause(settings.period().toMillis() / 2);
            system.start(slot, flags);
          }
          case RESTART_ENVOY_OTHER_MODE -> {
            Instant start = Instant.now();
            system.startEnvoy(system.envoyMode() == AdsMode.DELTA ? AdsMode.SOTW : AdsMode.DELTA);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get("/web").statusCode() == 200);
            levels.disruption("Envoy restart", start, Instant.now().plusSeconds(1), Set.of(HTTP_TRAFFIC));
          }
          case ROLL_TO_PREVIOUS_BUILD_AND_BACK -> {
            Path older = ((PreviousBuild.Available) previous).build().jar();
            roll(system, flags, older);
            pause(settings.period().toMillis() / 2);
            roll(system, flags, FairleadProcess.JAR);
            levels.count("rolls to the previous build and back");
          }
          case RESTART_API_SERVER -> {
            Instant start = Instant.now();
            try {
              levels.max("API server away ms", API_SERVER.restartApiServer().toMillis());
            } finally {
              levels.disruption(API_SERVER_RESTART, start, Instant.now().plusSeconds(2), Set.of(API_WRITES));
            }
            await("a leader after the API server restart").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> system.leader().isPresent());
          }
        }
      } catch (Exception e) {
        levels.violation("wanderer: " + action + " failed: " + e);
      }
    }
  }

  /** Replaces each replica in turn with one of the build {@code jar}, as a rolling update does: one at a time. */
  private static void roll(SoakSystem system, List<String> flags, Path jar) throws InterruptedException {
    for (SoakSystem.Slot slot : system.slots()) {
      system.stop(slot);
      system.start(slot, flags, jar);
    }
  }

  // ---- summary ----

  private List<ServiceLevels.Row> serviceLevels(SoakSystem system, SoakSettings settings,
      PreviousBuild.Lookup previous) {
    List<String> lines = system.logs().values().stream().flatMap(String::lines).toList();
    long errors = lines.stream()
        .filter(line -> line.contains(" ERROR ") || line.contains("\"level\":\"ERROR\""))
        .count();
    List<String> unexplained = levels.unexplainedErrors(lines, EXPLAINED_ERRORS);
    unexplained.stream().limit(20).forEach(line -> System.out.println("SOAK unexplained ERROR line: " + line));
    long heap = levels.maximum("heap bytes");
    List<ServiceLevels.Row> rows = new ArrayList<>();
    rows.add(trafficRow(HTTP_TRAFFIC, "outside Envoy restarts"));
    rows.add(trafficRow(GRPC_TRAFFIC, "throughout"));
    ServiceLevels.Traffic writes = levels.traffic(API_WRITES);
    rows.add(new ServiceLevels.Row(API_WRITES + " succeed", "all, outside API server restarts",
        (writes.requests() - writes.failedOutsideDisruptions()) + " of " + writes.requests(),
        writes.requests() > 0 && writes.failedOutsideDisruptions() == 0));
    rows.add(new ServiceLevels.Row("Envoy holds endpoints and edits", "within 30 s",
        levels.counter("config bound exceeded") + " times over, max lag " + levels.maximum("convergence lag ms")
            + " ms (sampled each second), " + levels.counter("endpoint changes") + " changes, "
            + levels.counter("edits") + " edits", levels.counter("config bound exceeded") == 0));
    rows.add(new ServiceLevels.Row("Upstreams Accepted", "within 30 s",
        levels.counter("status bound exceeded") + " times over", levels.counter("status bound exceeded") == 0));
    rows.add(new ServiceLevels.Row("endpoint never held twice", "0",
        levels.counter("double allocations") + " of " + levels.counter("allocations") + " allocations",
        levels.counter("double allocations") == 0 && levels.counter("allocations") > 0));
    rows.add(new ServiceLevels.Row("peak heap of a replica", "< 200 MiB",
        (heap >> 20) + " MiB", heap > 0 && heap < HEAP_LIMIT_BYTES));
    rows.add(heapTrendRow(settings));
    rows.add(new ServiceLevels.Row("ERROR log lines no fault explains", "0",
        unexplained.size() + " (" + (errors - unexplained.size()) + " more explained by a fault)",
        unexplained.isEmpty()));
    if (previous instanceof PreviousBuild.Available available) {
      long rolls = levels.counter("rolls to the previous build and back");
      rows.add(new ServiceLevels.Row("rolled to the previous build and back", ">= 1",
          rolls + " times, " + available.build().describe(), rolls > 0));
    } else {
      rows.add(ServiceLevels.Row.skipped("rolled to the previous build and back", ">= 1",
          ((PreviousBuild.Unavailable) previous).reason()));
    }
    Set<String> missing = new TreeSet<>();
    for (Action action : Action.values()) {
      boolean possible = action != Action.ROLL_TO_PREVIOUS_BUILD_AND_BACK
          || previous instanceof PreviousBuild.Available;
      if (possible && !levels.actions().containsKey(action.name())) {
        missing.add(action.name());
      }
    }
    rows.add(new ServiceLevels.Row("every kind of change made", "each >= 1",
        missing.isEmpty() ? "all, API server away max " + levels.maximum("API server away ms") + " ms"
            : "never: " + missing, missing.isEmpty()));
    rows.add(new ServiceLevels.Row("wanderer actions without failure", "all",
        levels.violations().stream().filter(v -> v.contains("wanderer:")).count() + " failed of "
            + levels.actions().values().stream().mapToLong(Long::longValue).sum(),
        levels.violations().stream().noneMatch(v -> v.contains("wanderer:"))));
    return rows;
  }

  private ServiceLevels.Row trafficRow(String kind, String when) {
    ServiceLevels.Traffic traffic = levels.traffic(kind);
    return new ServiceLevels.Row(kind + " succeeds", ">= 99.9 % " + when,
        String.format("%.3f %% of %d; p50 %.1f ms, p99 %.1f ms, max %.0f ms", traffic.successPercent(),
            traffic.requests(), traffic.p50Micros() / 1000.0, traffic.p99Micros() / 1000.0,
            traffic.maxMicros() / 1000.0),
        traffic.requests() > 0 && traffic.successPercent() >= 99.9);
  }

  /**
   * No replica's heap after GC keeps rising past its warm-up. The hour-long soak must judge at least one replica; the
   * four-minute run restarts replicas often enough that none may outlive its warm-up by {@link #HEAP_WINDOWS}
   * windows, and then says so as a skipped row.
   */
  private ServiceLevels.Row heapTrendRow(SoakSettings settings) {
    int warmUp = (int) Math.ceil((double) HEAP_WARM_UP.toMillis() / settings.heapWindow().toMillis());
    Map<String, List<Long>> samples = levels.heapAfterGc();
    long judged = samples.values().stream().filter(s -> ServiceLevels.judgeable(s, warmUp, HEAP_WINDOWS)).count();
    List<String> growing = new ArrayList<>();
    samples.forEach((process, heap) -> ServiceLevels.heapGrowth(heap, warmUp, HEAP_WINDOWS,
        HEAP_RISE_TOLERANCE_BYTES).ifPresent(finding -> growing.add(process + " " + finding)));
    String check = "heap after GC does not keep rising";
    String target = "no replica up in each of its last " + HEAP_WINDOWS + " windows after a "
        + HEAP_WARM_UP.toSeconds() + " s warm-up by > " + ServiceLevels.mebibytes(HEAP_RISE_TOLERANCE_BYTES);
    if (judged == 0 && !settings.mode().equals("soak")) {
      return ServiceLevels.Row.skipped(check, target, "none of " + samples.size()
          + " replica processes outlived its warm-up by " + HEAP_WINDOWS + " windows of "
          + settings.heapWindow().toSeconds() + " s; -Dfairlead.soak.mode=soak judges it");
    }
    return new ServiceLevels.Row(check, target,
        judged + " of " + samples.size() + " replica processes lived long enough to judge; "
            + (growing.isEmpty() ? "none rising" : String.join("; ", growing)),
        judged > 0 && growing.isEmpty());
  }

  // ---- helpers ----

  private void createObjects(List<NetnsBackend> web, List<NetnsBackend> game, GrpcBackend echo) {
    webBackends = web;
    API_SERVER.apply(E2eObjects.gateway("edge", listenerPort));
    API_SERVER.apply(E2eObjects.staticUpstream("echo", "GRPC", echo.port()));
    API_SERVER.apply(E2eObjects.hostRoute("echo", "echo.soak", "echo"));
    for (String name : List.of("web", "game")) {
      API_SERVER.apply("""
          apiVersion: v1
          kind: Service
          metadata: {name: %s, namespace: default, labels: {fairlead.dev/soak: "yes"}}
          spec:
            ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
          """.formatted(name));
      API_SERVER.apply(E2eObjects.route(name, "/" + name, name + "-http"));
    }
    Set<String> allWeb = new TreeSet<>(web.stream().map(NetnsBackend::address).toList());
    applySlice("web", web, allWeb);
    applySlice("game", game, new TreeSet<>(game.stream().map(NetnsBackend::address).toList()));
    expected.set(new Expected(allWeb, "5s", Instant.now()));
  }

  /** Once discovery made the game Upstream, a user puts it in allocation mode and sets the web one's timeout. */
  private void enableAllocationMode() {
    await("discovery creates the Upstreams").atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> accepted("web-http") && accepted("game-http"));
    API_SERVER.client().resources(Upstream.class).inNamespace(SoakSystem.NAMESPACE).withName("game-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"allocation\": {\"enabled\": true}}}");
    API_SERVER.client().resources(Upstream.class).inNamespace(SoakSystem.NAMESPACE).withName("web-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"connectTimeout\": \"2s\"}}");
    Expected now = expected.get();
    expected.set(new Expected(now.readyAddresses(), "2s", Instant.now()));
  }

  /**
   * A channel to {@code xds:///echo.soak} through gRPC's own xDS client, its bootstrap naming the xDS server of
   * {@code slot} and the fleet of Gateway {@code edge}.
   */
  @SuppressWarnings("deprecation") // nameResolverFactory: a per-channel resolver keeps the bootstrap to this test
  private static ManagedChannel xdsChannel(SoakSystem.Slot slot) {
    Map<String, Object> bootstrap = Map.of(
        "xds_servers", List.of(Map.of(
            "server_uri", "127.0.0.1:" + slot.xdsPort(),
            "channel_creds", List.of(Map.of("type", "insecure")),
            "server_features", List.of("xds_v3"))),
        "node", Map.of("id", "soak-grpc-client", "cluster", SoakSystem.NAMESPACE + "/edge"));
    return Grpc.newChannelBuilder("xds-soak:///echo.soak", InsecureChannelCredentials.create())
        .nameResolverFactory(XdsNameResolverProvider.createForTest("xds-soak", bootstrap))
        .build();
  }

  private static void applySlice(String service, List<NetnsBackend> backends, Set<String> ready) {
    List<String> endpoints = backends.stream().map(backend -> "{addresses: [" + backend.address()
        + "], conditions: {ready: " + ready.contains(backend.address()) + "}}").toList();
    API_SERVER.apply(E2eObjects.slice(service, endpoints));
  }

  private static boolean accepted(String upstream) {
    Upstream found = API_SERVER.client().resources(Upstream.class).inNamespace(SoakSystem.NAMESPACE)
        .withName(upstream).get();
    return found != null && found.getStatus() != null && found.getStatus().conditions().stream()
        .anyMatch(c -> c.getType().equals("Accepted") && c.getStatus().equals("True"));
  }

  private static String connectTimeout(JsonNode dump, String cluster) {
    for (JsonNode config : dump.path("configs")) {
      for (JsonNode dynamic : config.path("dynamic_active_clusters")) {
        if (cluster.equals(dynamic.path("cluster").path("name").asText())) {
          return dynamic.path("cluster").path("connect_timeout").asText();
        }
      }
    }
    return "";
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /**
   * Paces a loop: waits {@code millis}, or less once the run is stopped ({@link #stopped}), so that every loop ends
   * promptly when the run does, failed or not.
   */
  private void pause(long millis) {
    try {
      stopped.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
