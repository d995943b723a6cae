package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamProxies;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.ApiServerAudit;
import dev.fairlead.testkit.Backends;
import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.FaultyLinks;
import dev.fairlead.testkit.GrpcBackend;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.NetnsBackend;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestHosts;
import io.fabric8.kubernetes.api.model.Condition;
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
 * The soak harness: a <b>wanderer</b> that changes the system on a timer (kills a replica or the
 * leader with SIGKILL, restarts a replica with another flag set, scales two replicas to one and
 * back, restarts Envoy in the other ADS mode, rolls the replicas one at a time to the previous
 * build and back ({@link PreviousBuild}), restarts the kube-apiserver process on the same etcd,
 * cuts a replica off from the API server, makes the API server slow, freezes the leader with
 * SIGSTOP past its Lease and resumes it, expires every watch by compacting etcd and restarting the
 * API server while a replica is cut off; each replica reaches the API server through its own {@link
 * FaultyLinks} link), a <b>producer</b> that keeps bounded real load on it (HTTP through Envoy,
 * calls through gRPC's own xDS client, 1,000 simulated proxies on the replicas' ADS, one in ten
 * rejecting clusters, EndpointSlice churn, user edits of an Upstream, allocations and releases) and
 * a <b>monitor</b> that checks service levels all the while (Envoy holds the endpoints and the
 * edited setting the cluster says, within a bound; every Upstream is accepted within a bound; no
 * endpoint is ever held twice; traffic succeeds outside the disruptions announced for it; heap
 * stays bounded and does not keep rising after GC; no ERROR line is logged). It prints a summary
 * table and fails on any failed check, keeping the logs ({@code e2e/target/fairlead-*.log}, {@code
 * e2e/target/kube-apiserver-restart-*.log}).
 *
 * <p>The wanderer draws its changes from a shuffled bag holding each kind once, so every kind
 * occurs once in each run of that many changes, and the run goes on past its duration (up to three
 * times it) until every kind has occurred. Fast mode (CI) runs 4 minutes with a change every 10 s;
 * soak mode runs for hours: {@code ./mvnw -B -pl e2e -am verify -Dtest=none
 * -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT -Dfailsafe.failIfNoSpecifiedTests=false
 * -Dfairlead.soak.mode=soak -Dfairlead.soak.duration=PT1H}. Every loop is bounded, by count and by
 * three times the run's duration; everything talks to 127.0.0.1.
 */
class SoakIT {

  private static final String WATCH_LABEL = "fairlead.dev/soak=yes";
  private static final String HTTP_TRAFFIC = "HTTP through Envoy";
  private static final String GRPC_TRAFFIC = "gRPC through its xDS client";
  private static final String API_WRITES = "API writes (churn, edits)";
  private static final String ECHO = "soak-echo";
  private static final String API_SERVER_RESTART = "API server restart";
  private static final String CUT_OFF = "replica cut off from the API server";
  private static final String SLOW_API = "API server slow";
  private static final String WATCHES_EXPIRED = "watches expired";
  private static final String LEADER_FROZEN = "leader frozen";

  /**
   * How long a leader stays frozen: past the default 15 s Lease, so the other replica takes it
   * meanwhile.
   */
  private static final Duration FREEZE_FOR = Duration.ofSeconds(25);

  /**
   * How long a replica stays cut off: past the default 15 s Lease, so a cut-off leader loses it.
   */
  private static final Duration CUT_OFF_FOR = Duration.ofSeconds(20);

  /**
   * How soon the other replica must lead once the leader is cut off: the Lease's 15 s, plus retries
   * and margin.
   */
  private static final Duration TAKEOVER_BOUND = Duration.ofSeconds(30);

  private static final Duration REJOIN_BOUND = Duration.ofSeconds(60);

  /**
   * The API server made slow: every chunk each way waits this long (± the jitter), for {@link
   * #SLOW_FOR}.
   */
  private static final Duration SLOW_LATENCY = Duration.ofMillis(400);

  private static final Duration SLOW_JITTER = Duration.ofMillis(100);
  private static final Duration SLOW_FOR = Duration.ofSeconds(30);

  /**
   * Simulated proxies on the replicas throughout the run, every {@link #NACK_EVERY}-th rejecting
   * clusters.
   */
  private static final int SIMULATED_PROXIES = 1_000;

  private static final int NACK_EVERY = 10;

  /**
   * A replica whose heap after GC rose in each of its last this many windows, by more than the
   * tolerance, leaks.
   */
  private static final int HEAP_WINDOWS = 4;

  private static final long HEAP_RISE_TOLERANCE_BYTES = 4L << 20;

  /**
   * How long a new replica's heap after GC may rise before it is judged: its soak runs showed it
   * climbing about 6 MiB over its first 40 s (classes, JIT, informer caches, first translations),
   * then holding a plateau.
   */
  private static final Duration HEAP_WARM_UP = Duration.ofSeconds(60);

  private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");

  /**
   * The ERROR lines a fault explains. The Kubernetes client's Vert.x HTTP client logs a connection
   * the API server reset, with no handler of its own for it, as ERROR: expected when the API server
   * process is stopped.
   */
  private static final List<ServiceLevels.Explanation> EXPLAINED_ERRORS =
      List.of(
          new ServiceLevels.Explanation(API_SERVER_RESTART, "ConnectionBase", "Connection reset"),
          // fabric8's elector logs at ERROR when a leader that lost the Lease cannot reach the API
          // server to release it.
          new ServiceLevels.Explanation(
              CUT_OFF, "LeaderElector", "Exception occurred while releasing lock"),
          new ServiceLevels.Explanation(
              LEADER_FROZEN, "LeaderElector", "Exception occurred while releasing lock"));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern HEAP =
      Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"[^}]*} ([0-9.E+]+)");

  /**
   * Replicas run with -Xmx256m. What a replica keeps (its heap right after a full GC) must stay
   * under half of that. Its used heap between collections is no measure of what it needs: G1 lets
   * garbage fill the heap it has before collecting, so used heap nears -Xmx under load whatever the
   * replica keeps (the two-hour soak: used peaked at 235 MiB while what any replica kept peaked at
   * 101 MiB). The row reports the used peak beside it.
   */
  private static final long HEAP_LIMIT_BYTES = 128L << 20;

  /**
   * The resources every replica writes, leader or not: the Lease it stands for, and the allocation
   * API's Allocations and the Events saying why one was freed.
   */
  private static final Set<String> EVERY_REPLICAS_WRITES =
      Set.of("leases", "allocations", "events");

  /** What the API server accepted from whom, and when: judges the frozen leader's writes. */
  private static final ApiServerAudit AUDIT =
      ApiServerAudit.ofWrites(Path.of("target", "soak-audit"));

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer(AUDIT.flags());

  @RegisterExtension static final Envoys ENVOYS = new Envoys();

  @RegisterExtension static final TestHosts HOSTS = new TestHosts();

  @RegisterExtension static final Backends BACKENDS = new Backends();

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ServiceLevels levels = new ServiceLevels();

  /**
   * What the cluster says now: the ready web endpoints and the edited connect timeout, and since
   * when.
   */
  private final AtomicReference<Expected> expected = new AtomicReference<>();

  /** Endpoint → allocation name, for allocations a client holds. */
  private final Map<String, String> held = new ConcurrentHashMap<>();

  private final int listenerPort = LoopbackPorts.free();

  /** The web backends whose readiness the churn flips; set once before the loops start. */
  private volatile List<NetnsBackend> webBackends = List.of();

  /** Counted down when the run ends: every loop stops at its next pause. */
  private final java.util.concurrent.CountDownLatch stopped =
      new java.util.concurrent.CountDownLatch(1);

  /** Judged at the end of the run, while the simulated proxies are still connected. */
  private volatile ServiceLevels.Row simulatedProxiesRow;

  /**
   * While set, the churn makes no change: a fault checks that a replica caught up with what changed
   * before.
   */
  private final java.util.concurrent.atomic.AtomicBoolean churnHeld =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** Set by the churn once it has seen {@link #churnHeld}: no write of it is in flight. */
  private final java.util.concurrent.atomic.AtomicBoolean churnIdle =
      new java.util.concurrent.atomic.AtomicBoolean();

  /** The simulated proxies, once connected; faults check the ones on a replica they disturbed. */
  private volatile SimulatedProxies simulated;

  private record Expected(Set<String> readyAddresses, String connectTimeout, Instant since) {}

  /** The highest used heap the monitor saw, which replica process and when. */
  private record HeapPeak(String process, long bytes, Instant at) {}

  private final AtomicReference<HeapPeak> usedHeapPeak = new AtomicReference<>();

  @BeforeAll
  static void installCrds() throws Exception {
    E2eObjects.installCrds(API_SERVER);
  }

  @Test
  void fairleadKeepsServingThroughRestartsFaultsAndChurn() throws Exception {
    SoakSettings settings = SoakSettings.fromSystemProperties();
    System.out.printf(
        "SOAK mode=%s duration=%s period=%s seed=%d (replay with -Dfairlead.soak.seed=%d)%n",
        settings.mode(), settings.duration(), settings.period(), settings.seed(), settings.seed());
    PreviousBuild.Lookup previous = PreviousBuild.locate(Path.of(""));
    System.out.println(
        "SOAK previous build: "
            + (previous instanceof PreviousBuild.Available available
                ? available.build().describe() + ", " + available.build().jar()
                : "none, upgrades skipped: " + ((PreviousBuild.Unavailable) previous).reason()));
    List<NetnsBackend> web =
        List.of(HOSTS.http("soak-web-1"), HOSTS.http("soak-web-2"), HOSTS.http("soak-web-3"));
    List<NetnsBackend> game =
        List.of(
            HOSTS.http("soak-game-1"),
            HOSTS.http("soak-game-2"),
            HOSTS.http("soak-game-3"),
            HOSTS.http("soak-game-4"));
    GrpcBackend echo = BACKENDS.grpc(ECHO);
    createObjects(web, game, echo);

    try (FaultyLinks faults = FaultyLinks.start();
        SoakSystem system = new SoakSystem(API_SERVER, ENVOYS, faults, WATCH_LABEL)) {
      for (SoakSystem.Slot slot : system.slots()) {
        system.start(slot, List.of());
      }
      enableAllocationMode();
      system.startEnvoy(AdsMode.DELTA);
      await("traffic flows before the run starts")
          .atMost(settings.bound())
          .ignoreExceptions()
          .until(() -> get("/web").statusCode() == 200);
      ManagedChannel grpc = xdsChannel(system.slots().get(0));
      try (SimulatedProxies proxies =
          new SimulatedProxies(
              SIMULATED_PROXIES,
              NACK_EVERY,
              system.slots().stream().map(SoakSystem.Slot::xdsPort).toList(),
              "upstream/default/web-http")) {
        simulated = proxies;
        await("gRPC's xDS client reaches " + ECHO + " before the run starts")
            .atMost(settings.bound())
            .ignoreExceptions()
            .until(() -> ECHO.equals(GrpcBackend.whoAmI(grpc)));
        run(system, settings, previous, grpc);
        simulatedProxiesRow = simulatedProxiesRow(proxies, settings);
      } finally {
        grpc.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }

      List<ServiceLevels.Row> rows = serviceLevels(system, settings, previous);
      System.out.println(
          "SOAK summary (seed "
              + settings.seed()
              + ", actions "
              + levels.actions()
              + ")\n"
              + ServiceLevels.table(rows));
      levels
          .heapAfterGc()
          .forEach(
              (process, samples) ->
                  System.out.println(
                      "SOAK heap after GC of "
                          + process
                          + ": "
                          + samples.stream().map(ServiceLevels::mebibytes).toList()));
      levels
          .timeline()
          .forEach(
              a ->
                  System.out.println(
                      "SOAK timeline " + a.start() + " to " + a.end() + " " + a.what()));
      if (!system.droppedFlags().isEmpty()) {
        System.out.println(
            "SOAK flags an older build did not know, left out: " + system.droppedFlags());
      }
      levels.violations().stream()
          .limit(20)
          .forEach(v -> System.out.println("SOAK violation: " + v));
      assertThat(rows)
          .allSatisfy(
              row -> assertThat(row.passed()).as(row.check() + ": " + row.measured()).isTrue());
    }
  }

  /**
   * The producer, monitor and wanderer loops. The wanderer decides when the run ends: at the
   * duration, or later once it has made every kind of change (on a slow machine), and at three
   * times the duration at the latest; the other loops then end at their next pause, as they do when
   * any loop fails.
   */
  private void run(
      SoakSystem system, SoakSettings settings, PreviousBuild.Lookup previous, ManagedChannel grpc)
      throws Exception {
    Instant deadline = Instant.now().plus(settings.duration());
    Instant latest = Instant.now().plus(settings.duration().multipliedBy(3));
    ExecutorService loops = Executors.newFixedThreadPool(7);
    Future<?> wanderer = loops.submit(() -> wander(system, settings, previous, deadline, latest));
    List<Future<?>> others =
        List.of(
            loops.submit(() -> traffic(latest)),
            loops.submit(() -> grpcCalls(grpc, latest)),
            loops.submit(() -> churn(latest)),
            loops.submit(() -> allocations(system, latest)),
            loops.submit(() -> monitor(system, settings, latest)),
            loops.submit(() -> heapAfterGc(system, settings, latest)));
    long bound = settings.duration().multipliedBy(3).toSeconds() + 300;
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
        ok =
            response.statusCode() == 200
                && response.headers().firstValue(HttpBackend.IDENTITY_HEADER).isPresent();
      } catch (Exception e) {
        ok = false;
      }
      levels.request(HTTP_TRAFFIC, at, Duration.ofNanos(System.nanoTime() - start), ok);
      pause(50);
    }
  }

  /**
   * Every 100 ms a call through gRPC's own xDS client, which resolved {@code xds:///echo.soak} from
   * a Fairlead replica and calls the backend directly: a success is the answer of {@link #ECHO}.
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
   * Every 2 s one web endpoint turns ready or not; every 8 s a user edits the web Upstream's
   * connect timeout. What the cluster says is updated after each write that succeeded; a failed
   * write counts against {@link #API_WRITES} unless it fell in an announced API server disruption.
   */
  private void churn(Instant deadline) {
    Random random = new Random();
    long round = 0;
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      if (churnHeld.get()) {
        churnIdle.set(true);
        pause(200);
        continue;
      }
      churnIdle.set(false);
      round++;
      if (round % 4 == 0) {
        String timeout = expected.get().connectTimeout().equals("2s") ? "3s" : "2s";
        if (write(
            () ->
                API_SERVER
                    .client()
                    .resources(Upstream.class)
                    .inNamespace(SoakSystem.NAMESPACE)
                    .withName("web-http")
                    .patch(
                        PatchContext.of(PatchType.JSON_MERGE),
                        "{\"spec\": {\"connectTimeout\": \"" + timeout + "\"}}"))) {
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

  /**
   * One write to the API server as a user makes it, recorded as {@link #API_WRITES}; whether it
   * succeeded.
   */
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
      System.out.println(
          "SOAK API write sent "
              + at
              + " failed after "
              + Duration.ofNanos(System.nanoTime() - start).toMillis()
              + " ms: "
              + e);
      return false;
    }
  }

  /**
   * Every 300 ms: allocate (TTL 60 s) through a running replica, and release what is held after a
   * while.
   */
  private void allocations(SoakSystem system, Instant deadline) {
    Random random = new Random();
    List<String> mine = new ArrayList<>();
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      List<SoakSystem.Slot> up = system.runningSlots();
      if (!up.isEmpty()) {
        SoakSystem.Slot slot = up.get(random.nextInt(up.size()));
        String base =
            "http://127.0.0.1:" + slot.allocatorHttpPort() + "/v1/namespaces/default/allocations";
        try {
          if (mine.size() >= 3 || (!mine.isEmpty() && random.nextBoolean())) {
            String name = mine.remove(random.nextInt(mine.size()));
            held.values().remove(name);
            HttpResponse<String> released =
                http.send(
                    HttpRequest.newBuilder(URI.create(base + "/" + name))
                        .DELETE()
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            levels.count(released.statusCode() == 200 ? "releases" : "releases not done");
          } else {
            HttpResponse<String> allocated =
                http.send(
                    HttpRequest.newBuilder(URI.create(base))
                        .header("content-type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"upstream\": \"game-http\", \"ttl\": \"60s\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (allocated.statusCode() == 201) {
              JsonNode json = JSON.readTree(allocated.body());
              String endpoint =
                  json.path("endpoint").path("address").asText()
                      + ":"
                      + json.path("endpoint").path("port").asInt();
              String name = json.path("name").asText();
              String other = held.putIfAbsent(endpoint, name);
              if (other != null) {
                levels.violation(
                    "endpoint "
                        + endpoint
                        + " allocated as "
                        + name
                        + " while "
                        + other
                        + " holds it");
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

  /**
   * Every second: Envoy holds what the cluster says (within the bound), statuses are accepted, heap
   * is sampled.
   */
  private void monitor(SoakSystem system, SoakSettings settings, Instant deadline) {
    Instant configWrongSince = null;
    Instant statusWrongSince = null;
    Instant measured = null;
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      Instant now = Instant.now();
      try {
        Expected want = expected.get();
        EnvoyProcess envoy = system.envoy();
        if (envoy != null
            && envoy.isAlive()
            && envoy.isReady()
            && !system.runningSlots().isEmpty()) {
          String configDump = envoy.configDump();
          JsonNode dump = JSON.readTree(configDump);
          boolean matches =
              new TreeSet<>(E2eObjects.envoyEndpoints(configDump, "upstream/default/web-http"))
                      .equals(want.readyAddresses())
                  && want.connectTimeout()
                      .equals(connectTimeout(dump, "upstream/default/web-http"));
          configWrongSince = matches ? null : (configWrongSince == null ? now : configWrongSince);
          if (matches && !want.since().equals(measured)) {
            measured = want.since();
            levels.max("convergence lag ms", Duration.between(want.since(), now).toMillis());
          }
          if (configWrongSince != null
              && Duration.between(later(configWrongSince, want.since()), now)
                      .compareTo(settings.bound())
                  > 0) {
            levels.violation(
                "Envoy has not held the cluster's endpoints and settings for "
                    + ServiceLevels.seconds(
                        Duration.between(later(configWrongSince, want.since()), now)));
            levels.count("config bound exceeded");
            configWrongSince = now;
          }
        }
        boolean accepted = accepted("web-http") && accepted("game-http") && accepted("echo");
        statusWrongSince = accepted ? null : (statusWrongSince == null ? now : statusWrongSince);
        if (statusWrongSince != null
            && Duration.between(statusWrongSince, now).compareTo(settings.bound()) > 0) {
          levels.violation("an Upstream has not been Accepted for " + settings.bound());
          levels.count("status bound exceeded");
          statusWrongSince = now;
        }
        for (SoakSystem.Slot slot : system.runningSlots()) {
          long used = heapBytes(system.get(slot, "/metrics").body());
          String process = system.process(slot).map(FairleadProcess::name).orElse(slot.name());
          usedHeapPeak.accumulateAndGet(
              new HeapPeak(process, used, Instant.now()),
              (a, b) -> a == null || b.bytes() > a.bytes() ? b : a);
        }
      } catch (Exception e) {
        levels.count("monitor samples cut off");
      }
      pause(1000);
    }
  }

  /**
   * Every heap window, each running replica's used heap right after a full GC ({@code jcmd <pid>
   * GC.run}, then its {@code /metrics}): what it keeps, rather than what it has not collected yet.
   * A replica leaking memory keeps rising from window to window.
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
          CommandResult.run(
                  List.of(JCMD.toString(), Long.toString(process.get().pid()), "GC.run"),
                  Duration.ofSeconds(30))
              .requireSuccess();
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
    KILL_REPLICA,
    KILL_LEADER,
    RESTART_WITH_OTHER_FLAGS,
    SCALE_TO_ONE_AND_BACK,
    RESTART_ENVOY_OTHER_MODE,
    ROLL_TO_PREVIOUS_BUILD_AND_BACK,
    RESTART_API_SERVER,
    CUT_REPLICA_OFF_API_SERVER,
    SLOW_API_SERVER,
    EXPIRE_WATCHES,
    FREEZE_LEADER
  }

  /**
   * Every period, one change drawn from a shuffled bag of every kind (refilled when empty); it
   * waits for the system to be whole again before the next. It stops at {@code deadline} once it
   * has made every kind of change, and at {@code latest} in any case.
   */
  private void wander(
      SoakSystem system,
      SoakSettings settings,
      PreviousBuild.Lookup previous,
      Instant deadline,
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
        && Instant.now().plus(settings.period()).isBefore(latest)
        && count < 10_000
        && stopped.getCount() > 0) {
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
      Instant began = Instant.now();
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
            flags =
                List.of(
                    "--log-format=" + (random.nextBoolean() ? "json" : "text"),
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
            await()
                .atMost(Duration.ofSeconds(60))
                .ignoreExceptions()
                .until(() -> get("/web").statusCode() == 200);
            levels.disruption(
                "Envoy restart", start, Instant.now().plusSeconds(1), Set.of(HTTP_TRAFFIC));
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
              levels.disruption(
                  API_SERVER_RESTART, start, Instant.now().plusSeconds(2), Set.of(API_WRITES));
            }
            await("a leader after the API server restart")
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .ignoreExceptions()
                .until(() -> system.leader().isPresent());
          }
          case CUT_REPLICA_OFF_API_SERVER -> cutOff(system, random);
          case SLOW_API_SERVER -> slowApiServer(system);
          case EXPIRE_WATCHES -> expireWatches(system, random);
          case FREEZE_LEADER -> freezeLeader(system);
        }
      } catch (Exception e) {
        levels.violation("wanderer: " + action + " failed: " + e);
      } finally {
        levels.acted(action.name(), began, Instant.now());
      }
    }
  }

  /**
   * Cuts one replica off from the API server for {@link #CUT_OFF_FOR} — the leader when there is
   * one — through its link ({@link FaultyLinks.Link#cut()}): nothing it sends arrives, nothing
   * comes back, nothing is closed. A cut-off leader must lose the Lease to the other replica within
   * {@link #TAKEOVER_BOUND}; once healed, the replica must be ready again within {@link
   * #REJOIN_BOUND}. Meanwhile it goes on serving its proxies what it last knew, and the monitors'
   * bounds (Envoy holding the cluster's state, Upstreams Accepted, traffic) still apply.
   */
  private void cutOff(SoakSystem system, Random random) {
    Optional<SoakSystem.Slot> leader = system.leader();
    SoakSystem.Slot slot = leader.orElse(system.slots().get(random.nextInt(system.slots().size())));
    FaultyLinks.Link link = system.apiLink(slot);
    Instant start = Instant.now();
    link.cut();
    try {
      try {
        if (leader.isPresent()) {
          await("another replica takes the Lease from the cut-off leader " + slot.name())
              .atMost(TAKEOVER_BOUND)
              .pollInterval(Duration.ofMillis(250))
              .ignoreExceptions()
              .until(() -> system.leader().filter(l -> !l.equals(slot)).isPresent());
          levels.max("cut-off takeover ms", Duration.between(start, Instant.now()).toMillis());
          levels.count("leaders cut off");
        }
        pause(Math.max(0, Duration.between(Instant.now(), start.plus(CUT_OFF_FOR)).toMillis()));
      } finally {
        link.heal();
      }
      Instant healed = Instant.now();
      await(slot.name() + " ready again after its cut")
          .atMost(REJOIN_BOUND)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> system.get(slot, "/readyz").statusCode() == 200);
      levels.max("cut-off rejoin ms", Duration.between(healed, Instant.now()).toMillis());
      levels.count("replicas cut off");
    } finally {
      // The fault lasts until the replica is back: what it logs about requests the cut broke may
      // come after the heal.
      levels.disruption(CUT_OFF, start, Instant.now(), Set.of());
    }
  }

  /**
   * Expires every watch while objects change. Cuts a replica that has simulated proxies to serve
   * (not the leader, when another one has some: proxies move to another replica whenever theirs
   * restarts, so one replica may have none) off from the API server, so its watches stall at the
   * revisions it last saw; waits until the churn has changed the endpoints twice; compacts etcd to
   * its current revision and restarts the API server, whose new watch cache starts past every
   * revision handed out before. A watch from a revision taken during the cut must then be refused
   * {@code 410 Gone} (probed with the test's own client: the cut replica's watches are older
   * still). Once healed, the replica must relist: within {@link #REJOIN_BOUND} of the heal, with
   * the churn held still, every acknowledging simulated proxy connected to it holds the endpoints
   * the cluster says. The bound is the rejoin one, not the run's convergence bound: the Kubernetes
   * client reconnects a watch that failed with a backoff that doubles up to 32 s.
   */
  private void expireWatches(SoakSystem system, Random random) throws Exception {
    Optional<SoakSystem.Slot> leader = system.leader();
    List<SoakSystem.Slot> others =
        system.slots().stream()
            .filter(s -> leader.map(l -> !l.equals(s)).orElse(true))
            .filter(s -> simulated.acknowledgingOn(s.xdsPort()) > 0)
            .toList();
    SoakSystem.Slot slot =
        others.isEmpty()
            ? leader.orElseThrow(() -> new IllegalStateException("no replica has proxies to serve"))
            : others.get(random.nextInt(others.size()));
    FaultyLinks.Link link = system.apiLink(slot);
    Instant start = Instant.now();
    link.cut();
    try {
      String seen;
      try {
        seen =
            API_SERVER
                .client()
                .discovery()
                .v1()
                .endpointSlices()
                .inNamespace(SoakSystem.NAMESPACE)
                .list()
                .getMetadata()
                .getResourceVersion();
        long changes = levels.counter("endpoint changes");
        await("the churn changes endpoints while " + slot.name() + " is cut off")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(250))
            .until(() -> levels.counter("endpoint changes") >= changes + 2);
        levels.max("etcd revision compacted to", API_SERVER.compactEtcd());
        Instant restart = Instant.now();
        try {
          API_SERVER.restartApiServer();
        } finally {
          levels.disruption(
              API_SERVER_RESTART, restart, Instant.now().plusSeconds(2), Set.of(API_WRITES));
        }
        if (goneSince(seen)) {
          levels.count("watches refused 410 Gone");
        }
      } finally {
        link.heal();
      }
      Instant healed = Instant.now();
      // Held still, the churn cannot move the target while the replica catches up with what changed
      // during its cut.
      churnHeld.set(true);
      try {
        await("the churn holds still")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .until(churnIdle::get);
        Set<String> endpoints = expected.get().readyAddresses();
        try {
          await(slot.name() + " serves the current endpoints after relisting")
              .atMost(REJOIN_BOUND)
              .pollInterval(Duration.ofMillis(250))
              .ignoreExceptions()
              .until(
                  () -> {
                    long on = simulated.acknowledgingOn(slot.xdsPort());
                    return on > 0 && simulated.holdingOn(slot.xdsPort(), endpoints) == on;
                  });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
          throw new IllegalStateException(
              slot.name()
                  + " did not serve the current endpoints "
                  + endpoints
                  + " within "
                  + REJOIN_BOUND.toSeconds()
                  + " s of the heal: "
                  + simulated.describeOn(slot.xdsPort())
                  + "; its EndpointSlice informer: "
                  + informerEvents(system, slot, "EndpointSlice"),
              e);
        }
      } finally {
        churnHeld.set(false);
      }
      levels.max("relist converged ms", Duration.between(healed, Instant.now()).toMillis());
      levels.count("watches expired");
    } finally {
      levels.disruption(WATCHES_EXPIRED, start, Instant.now(), Set.of());
    }
  }

  /**
   * A replica's {@code fairlead_informer_events_total} and {@code fairlead_informer_watching} lines
   * for {@code kind}, for a message.
   */
  private static String informerEvents(SoakSystem system, SoakSystem.Slot slot, String kind) {
    try {
      return system
          .get(slot, "/metrics")
          .body()
          .lines()
          .filter(
              l ->
                  (l.startsWith("fairlead_informer_events_total{")
                          || l.startsWith("fairlead_informer_watching{"))
                      && l.contains(kind))
          .toList()
          .toString();
    } catch (Exception e) {
      return "unknown (" + e + ")";
    }
  }

  /**
   * Freezes the leader with SIGSTOP for {@link #FREEZE_FOR}, past its Lease: the other replica must
   * take the Lease within {@link #TAKEOVER_BOUND}. Resumed, the old leader runs on as if no time
   * had passed until its elector notices; its fence must keep it from writing meanwhile. Judged by
   * the API server's audit log, not by the replica's own counters (a write it sent just before the
   * freeze is answered, and counted, only after it resumes): no write from the replica's {@code
   * User-Agent} received after the resume is accepted, but what is not the leader's to write: its
   * attempts on the Lease, its own fleet record, and the allocation API's Allocations and their
   * Events (every replica serves the API and sweeps expired allocations, each write guarded by the
   * API server's own concurrency, not by the Lease). A judgment counts only when the log attributes
   * writes to the replica before the freeze (its Lease renewals), proving the attribution works.
   */
  private void freezeLeader(SoakSystem system) throws Exception {
    SoakSystem.Slot slot =
        await("a leader to freeze")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(250))
            .ignoreExceptions()
            .until(system::leader, Optional::isPresent)
            .orElseThrow();
    FairleadProcess process = system.process(slot).orElseThrow();
    Instant start = Instant.now();
    Instant resumed;
    process.freeze();
    try {
      try {
        await("another replica takes the Lease from the frozen leader " + slot.name())
            .atMost(TAKEOVER_BOUND)
            .pollInterval(Duration.ofMillis(250))
            .ignoreExceptions()
            .until(() -> system.leader().filter(l -> !l.equals(slot)).isPresent());
        levels.max("frozen takeover ms", Duration.between(start, Instant.now()).toMillis());
        pause(Math.max(0, Duration.between(Instant.now(), start.plus(FREEZE_FOR)).toMillis()));
      } finally {
        resumed = Instant.now();
        process.resume();
      }
      await(slot.name() + " ready again after its freeze")
          .atMost(REJOIN_BOUND)
          .pollInterval(Duration.ofMillis(250))
          .ignoreExceptions()
          .until(() -> system.get(slot, "/readyz").statusCode() == 200);
      if (system.leader().filter(l -> !l.equals(slot)).isPresent()) {
        Instant judged = Instant.now();
        String agent = "(" + slot.name() + ")";
        String ownRecord = "fairlead-proxies-" + slot.name();
        List<ApiServerAudit.Event> its =
            AUDIT.events().stream()
                .filter(e -> e.userAgent().endsWith(agent) && e.accepted())
                .toList();
        long before =
            its.stream()
                .filter(e -> e.received().isBefore(start) && e.resource().equals("leases"))
                .count();
        List<ApiServerAudit.Event> after =
            its.stream()
                .filter(e -> !e.received().isBefore(resumed) && !e.received().isAfter(judged))
                .filter(e -> !EVERY_REPLICAS_WRITES.contains(e.resource()))
                .filter(e -> !(e.resource().equals("configmaps") && e.name().equals(ownRecord)))
                .toList();
        if (before > 0) {
          levels.count("leaders frozen, judged");
          if (!after.isEmpty()) {
            levels.count("writes after losing the Lease", after.size());
            levels.violation(
                "the resumed leader "
                    + slot.name()
                    + " wrote after losing the Lease: "
                    + after.stream()
                        .map(e -> e.verb() + " " + e.resource() + " " + e.name())
                        .limit(5)
                        .toList());
          }
        }
      }
      levels.count("leaders frozen");
    } finally {
      levels.disruption(LEADER_FROZEN, start, Instant.now(), Set.of());
    }
  }

  /**
   * Whether a watch of the namespace's EndpointSlices from {@code resourceVersion} is refused 410
   * Gone.
   */
  private static boolean goneSince(String resourceVersion) throws Exception {
    java.util.concurrent.CompletableFuture<Boolean> gone =
        new java.util.concurrent.CompletableFuture<>();
    try (io.fabric8.kubernetes.client.Watch unused =
        API_SERVER
            .client()
            .discovery()
            .v1()
            .endpointSlices()
            .inNamespace(SoakSystem.NAMESPACE)
            .watch(
                new io.fabric8.kubernetes.api.model.ListOptionsBuilder()
                    .withResourceVersion(resourceVersion)
                    .build(),
                new io.fabric8.kubernetes.client.Watcher<
                    io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice>() {
                  @Override
                  public void eventReceived(
                      Action action,
                      io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice resource) {
                    if (action == Action.ERROR) {
                      gone.complete(false);
                    }
                  }

                  @Override
                  public void onClose(io.fabric8.kubernetes.client.WatcherException cause) {
                    gone.complete(cause.isHttpGone());
                  }
                })) {
      try {
        return gone.get(20, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      }
    }
  }

  /**
   * Makes the API server slow for every replica for {@link #SLOW_FOR}: {@link #SLOW_LATENCY} (± the
   * jitter) on each chunk each way of their links. Nothing is excused meanwhile: the monitors'
   * bounds still apply, and the row counts the times they were exceeded while it lasted.
   */
  private void slowApiServer(SoakSystem system) {
    long exceeded =
        levels.counter("config bound exceeded") + levels.counter("status bound exceeded");
    Instant start = Instant.now();
    try {
      system.slots().forEach(slot -> system.apiLink(slot).slow(SLOW_LATENCY, SLOW_JITTER));
      pause(SLOW_FOR.toMillis());
    } finally {
      system.slots().forEach(slot -> system.apiLink(slot).heal());
      levels.disruption(SLOW_API, start, Instant.now(), Set.of());
    }
    long during =
        levels.counter("config bound exceeded")
            + levels.counter("status bound exceeded")
            - exceeded;
    levels.count("slow API server windows");
    if (during > 0) {
      levels.count("bounds exceeded while slow", during);
    }
  }

  /**
   * Replaces each replica in turn with one of the build {@code jar}, as a rolling update does: one
   * at a time.
   */
  private static void roll(SoakSystem system, List<String> flags, Path jar)
      throws InterruptedException {
    for (SoakSystem.Slot slot : system.slots()) {
      system.stop(slot);
      system.start(slot, flags, jar);
    }
  }

  // ---- summary ----

  private List<ServiceLevels.Row> serviceLevels(
      SoakSystem system, SoakSettings settings, PreviousBuild.Lookup previous) {
    List<String> lines = system.logs().values().stream().flatMap(String::lines).toList();
    long errors =
        lines.stream()
            .filter(line -> line.contains(" ERROR ") || line.contains("\"level\":\"ERROR\""))
            .count();
    List<String> unexplained = levels.unexplainedErrors(lines, EXPLAINED_ERRORS);
    unexplained.stream()
        .limit(20)
        .forEach(line -> System.out.println("SOAK unexplained ERROR line: " + line));
    HeapPeak used = usedHeapPeak.get();
    Optional<Map.Entry<String, Long>> kept =
        levels.heapAfterGc().entrySet().stream()
            .filter(e -> !e.getValue().isEmpty())
            .map(e -> Map.entry(e.getKey(), Collections.max(e.getValue())))
            .max(Map.Entry.comparingByValue());
    List<ServiceLevels.Row> rows = new ArrayList<>();
    rows.add(trafficRow(HTTP_TRAFFIC, "outside Envoy restarts"));
    rows.add(trafficRow(GRPC_TRAFFIC, "throughout"));
    ServiceLevels.Traffic writes = levels.traffic(API_WRITES);
    rows.add(
        new ServiceLevels.Row(
            API_WRITES + " succeed",
            "all, outside API server restarts",
            (writes.requests() - writes.failedOutsideDisruptions()) + " of " + writes.requests(),
            writes.requests() > 0 && writes.failedOutsideDisruptions() == 0));
    rows.add(
        new ServiceLevels.Row(
            "Envoy holds endpoints and edits",
            "within 30 s",
            levels.counter("config bound exceeded")
                + " times over, max lag "
                + levels.maximum("convergence lag ms")
                + " ms (sampled each second), "
                + levels.counter("endpoint changes")
                + " changes, "
                + levels.counter("edits")
                + " edits",
            levels.counter("config bound exceeded") == 0));
    rows.add(
        new ServiceLevels.Row(
            "Upstreams Accepted",
            "within 30 s",
            levels.counter("status bound exceeded") + " times over",
            levels.counter("status bound exceeded") == 0));
    rows.add(
        new ServiceLevels.Row(
            "endpoint never held twice",
            "0",
            levels.counter("double allocations")
                + " of "
                + levels.counter("allocations")
                + " allocations",
            levels.counter("double allocations") == 0 && levels.counter("allocations") > 0));
    rows.add(
        new ServiceLevels.Row(
            "peak heap after GC of a replica",
            "< " + ServiceLevels.mebibytes(HEAP_LIMIT_BYTES) + " (half its -Xmx256m)",
            kept.map(e -> ServiceLevels.mebibytes(e.getValue()) + " (" + e.getKey() + ")")
                    .orElse("no sample")
                + "; used heap, with what G1 had not yet collected, peaked at "
                + (used == null
                    ? "?"
                    : ServiceLevels.mebibytes(used.bytes())
                        + " ("
                        + used.process()
                        + ", "
                        + used.at()
                        + ")"),
            kept.isPresent() && kept.get().getValue() < HEAP_LIMIT_BYTES));
    rows.add(heapTrendRow(settings));
    rows.add(
        new ServiceLevels.Row(
            "ERROR log lines no fault explains",
            "0",
            unexplained.size()
                + " ("
                + (errors - unexplained.size())
                + " more explained by a fault)",
            unexplained.isEmpty()));
    if (previous instanceof PreviousBuild.Available available) {
      long rolls = levels.counter("rolls to the previous build and back");
      rows.add(
          new ServiceLevels.Row(
              "rolled to the previous build and back",
              ">= 1",
              rolls + " times, " + available.build().describe(),
              rolls > 0));
    } else {
      rows.add(
          ServiceLevels.Row.skipped(
              "rolled to the previous build and back",
              ">= 1",
              ((PreviousBuild.Unavailable) previous).reason()));
    }
    Set<String> missing = new TreeSet<>();
    for (Action action : Action.values()) {
      boolean possible =
          action != Action.ROLL_TO_PREVIOUS_BUILD_AND_BACK
              || previous instanceof PreviousBuild.Available;
      if (possible && !levels.actions().containsKey(action.name())) {
        missing.add(action.name());
      }
    }
    rows.add(
        new ServiceLevels.Row(
            "every kind of change made",
            "each >= 1",
            missing.isEmpty()
                ? "all, API server away max " + levels.maximum("API server away ms") + " ms"
                : "never: " + missing,
            missing.isEmpty()));
    if (simulatedProxiesRow != null) {
      rows.add(simulatedProxiesRow);
    }
    rows.add(
        faultRow(
            CUT_OFF + " (" + CUT_OFF_FOR.toSeconds() + " s)",
            "a cut-off leader loses the Lease within "
                + TAKEOVER_BOUND.toSeconds()
                + " s; ready within "
                + REJOIN_BOUND.toSeconds()
                + " s of the heal",
            levels.counter("replicas cut off") > 0,
            Action.CUT_REPLICA_OFF_API_SERVER,
            levels.counter("replicas cut off")
                + " times ("
                + levels.counter("leaders cut off")
                + " leaders), takeover max "
                + levels.maximum("cut-off takeover ms")
                + " ms, ready again max "
                + levels.maximum("cut-off rejoin ms")
                + " ms after the heal"));
    rows.add(
        faultRow(
            SLOW_API
                + " ("
                + SLOW_LATENCY.toMillis()
                + " ± "
                + SLOW_JITTER.toMillis()
                + " ms each way, "
                + SLOW_FOR.toSeconds()
                + " s)",
            "no bound exceeded while it lasts",
            levels.counter("slow API server windows") > 0
                && levels.counter("bounds exceeded while slow") == 0,
            Action.SLOW_API_SERVER,
            levels.counter("slow API server windows")
                + " times, bounds exceeded meanwhile "
                + levels.counter("bounds exceeded while slow")
                + " times"));
    rows.add(
        faultRow(
            WATCHES_EXPIRED + " (a replica cut off, etcd compacted, API server restarted)",
            "watches from before refused 410 Gone; the replica relists and serves the cluster's endpoints within "
                + REJOIN_BOUND.toSeconds()
                + " s of the heal",
            levels.counter("watches expired") > 0
                && levels.counter("watches refused 410 Gone") == levels.counter("watches expired"),
            Action.EXPIRE_WATCHES,
            levels.counter("watches expired")
                + " times, 410 Gone "
                + levels.counter("watches refused 410 Gone")
                + " times, etcd compacted to revision "
                + levels.maximum("etcd revision compacted to")
                + ", served again max "
                + levels.maximum("relist converged ms")
                + " ms after the heal"));
    rows.add(
        faultRow(
            LEADER_FROZEN + " (SIGSTOP " + FREEZE_FOR.toSeconds() + " s, then SIGCONT)",
            "another replica leads within "
                + TAKEOVER_BOUND.toSeconds()
                + " s; the resumed one writes nothing",
            levels.counter("leaders frozen") > 0
                && levels.counter("leaders frozen, judged") > 0
                && levels.counter("writes after losing the Lease") == 0,
            Action.FREEZE_LEADER,
            levels.counter("leaders frozen")
                + " times, takeover max "
                + levels.maximum("frozen takeover ms")
                + " ms, writes accepted from the resumed leader "
                + levels.counter("writes after losing the Lease")
                + " (API server audit log; judged "
                + levels.counter("leaders frozen, judged")
                + " times)"));
    rows.add(
        new ServiceLevels.Row(
            "wanderer actions without failure",
            "all",
            levels.violations().stream().filter(v -> v.contains("wanderer:")).count()
                + " failed of "
                + levels.actions().values().stream().mapToLong(Long::longValue).sum(),
            levels.violations().stream().noneMatch(v -> v.contains("wanderer:"))));
    return rows;
  }

  /**
   * The simulated proxies at the end of the run: within the bound, every one is served on its
   * current stream, every acknowledging one holds the endpoints the cluster says, and the web
   * Upstream's {@code Programmed} condition reports the rejecting ones.
   */
  private ServiceLevels.Row simulatedProxiesRow(SimulatedProxies proxies, SoakSettings settings) {
    Set<String> want = expected.get().readyAddresses();
    long acknowledging = proxies.acknowledging();
    boolean converged =
        holds(
            settings.bound(),
            () -> proxies.served() == SIMULATED_PROXIES && proxies.holding(want) == acknowledging);
    // The proxies are spread over every replica: the Upstream counts them all, whichever replica
    // leads.
    long rejecting = SIMULATED_PROXIES - acknowledging;
    boolean reported =
        holds(
            settings.bound(),
            () ->
                condition("web-http", "Programmed")
                        .filter(
                            c -> c.getStatus().equals("False") && c.getReason().equals("Rejected"))
                        .isPresent()
                    && proxies("web-http")
                        .filter(
                            p -> p.connected() >= SIMULATED_PROXIES && p.rejected() == rejecting)
                        .isPresent());
    String programmed =
        condition("web-http", "Programmed")
                .map(c -> c.getStatus() + "/" + c.getReason() + ": " + c.getMessage())
                .orElse("none")
            + "; status.proxies "
            + proxies("web-http")
                .map(
                    p ->
                        p.connected()
                            + " connected, "
                            + p.holding()
                            + " holding, "
                            + p.rejected()
                            + " rejecting")
                .orElse("none");
    return new ServiceLevels.Row(
        SIMULATED_PROXIES + " simulated proxies, 1 in " + NACK_EVERY + " rejecting clusters",
        "at the end, within "
            + settings.bound().toSeconds()
            + " s: all served, every acknowledging one holds the "
            + "cluster's endpoints, the rejections of every replica's proxies in status",
        proxies.served()
            + " served, "
            + proxies.holding(want)
            + " of "
            + acknowledging
            + " hold the endpoints; "
            + proxies.streamsOpened()
            + " streams opened, "
            + proxies.streamsEnded()
            + " ended by faults, "
            + proxies.nacksSent()
            + " NACKs; web-http Programmed "
            + programmed,
        converged && reported);
  }

  /** Whether {@code condition} comes to hold within {@code bound}. */
  private static boolean holds(Duration bound, java.util.concurrent.Callable<Boolean> condition) {
    try {
      await()
          .atMost(bound)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(condition);
      return true;
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      return false;
    }
  }

  /**
   * A fault's own row: it happened and met its target ({@code met}), and the wanderer met no
   * failure making it (a bound awaited in it, such as a takeover, fails the action).
   */
  private ServiceLevels.Row faultRow(
      String fault, String target, boolean met, Action action, String measured) {
    boolean failed =
        levels.violations().stream().anyMatch(v -> v.contains("wanderer: " + action + " "));
    return new ServiceLevels.Row(fault, target, measured, met && !failed);
  }

  private ServiceLevels.Row trafficRow(String kind, String when) {
    ServiceLevels.Traffic traffic = levels.traffic(kind);
    return new ServiceLevels.Row(
        kind + " succeeds",
        ">= 99.9 % " + when,
        String.format(
            "%.3f %% of %d; p50 %.1f ms, p99 %.1f ms, max %.0f ms",
            traffic.successPercent(),
            traffic.requests(),
            traffic.p50Micros() / 1000.0,
            traffic.p99Micros() / 1000.0,
            traffic.maxMicros() / 1000.0),
        traffic.requests() > 0 && traffic.successPercent() >= 99.9);
  }

  /**
   * No replica's heap after GC keeps rising past its warm-up. The hour-long soak must judge at
   * least one replica; the four-minute run restarts replicas often enough that none may outlive its
   * warm-up by {@link #HEAP_WINDOWS} windows, and then says so as a skipped row.
   */
  private ServiceLevels.Row heapTrendRow(SoakSettings settings) {
    int warmUp =
        (int) Math.ceil((double) HEAP_WARM_UP.toMillis() / settings.heapWindow().toMillis());
    Map<String, List<Long>> samples = levels.heapAfterGc();
    long judged =
        samples.values().stream()
            .filter(
                s ->
                    ServiceLevels.judgedHeap(s, warmUp, HEAP_WINDOWS, HEAP_RISE_TOLERANCE_BYTES)
                        .isPresent())
            .count();
    List<String> growing = new ArrayList<>();
    samples.forEach(
        (process, heap) ->
            ServiceLevels.heapGrowth(heap, warmUp, HEAP_WINDOWS, HEAP_RISE_TOLERANCE_BYTES)
                .ifPresent(finding -> growing.add(process + " " + finding)));
    String check = "heap after GC does not keep rising";
    String target =
        "no replica up in each of its last "
            + HEAP_WINDOWS
            + " windows (after a "
            + HEAP_WARM_UP.toSeconds()
            + " s warm-up and its last step to a new level) by > "
            + ServiceLevels.mebibytes(HEAP_RISE_TOLERANCE_BYTES)
            + "; at most "
            + ServiceLevels.HEAP_STEPS_ALLOWED
            + " steps";
    if (judged == 0 && !settings.mode().equals("soak")) {
      return ServiceLevels.Row.skipped(
          check,
          target,
          "none of "
              + samples.size()
              + " replica processes outlived its warm-up by "
              + HEAP_WINDOWS
              + " windows of "
              + settings.heapWindow().toSeconds()
              + " s; -Dfairlead.soak.mode=soak judges it");
    }
    return new ServiceLevels.Row(
        check,
        target,
        judged
            + " of "
            + samples.size()
            + " replica processes lived long enough to judge ("
            + 2 * HEAP_WINDOWS
            + " windows after a step); "
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
      API_SERVER.apply(
          """
          apiVersion: v1
          kind: Service
          metadata: {name: %s, namespace: default, labels: {fairlead.dev/soak: "yes"}}
          spec:
            ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
          """
              .formatted(name));
      API_SERVER.apply(E2eObjects.route(name, "/" + name, name + "-http"));
    }
    Set<String> allWeb = new TreeSet<>(web.stream().map(NetnsBackend::address).toList());
    applySlice("web", web, allWeb);
    applySlice("game", game, new TreeSet<>(game.stream().map(NetnsBackend::address).toList()));
    expected.set(new Expected(allWeb, "5s", Instant.now()));
  }

  /**
   * Once discovery made the game Upstream, a user puts it in allocation mode and sets the web one's
   * timeout.
   */
  private void enableAllocationMode() {
    await("discovery creates the Upstreams")
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> accepted("web-http") && accepted("game-http"));
    API_SERVER
        .client()
        .resources(Upstream.class)
        .inNamespace(SoakSystem.NAMESPACE)
        .withName("game-http")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\": {\"allocation\": {\"enabled\": true}}}");
    API_SERVER
        .client()
        .resources(Upstream.class)
        .inNamespace(SoakSystem.NAMESPACE)
        .withName("web-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"connectTimeout\": \"2s\"}}");
    Expected now = expected.get();
    expected.set(new Expected(now.readyAddresses(), "2s", Instant.now()));
  }

  /**
   * A channel to {@code xds:///echo.soak} through gRPC's own xDS client, its bootstrap naming the
   * xDS server of {@code slot} and the fleet of Gateway {@code edge}.
   */
  @SuppressWarnings(
      "deprecation") // nameResolverFactory: a per-channel resolver keeps the bootstrap to this test
  private static ManagedChannel xdsChannel(SoakSystem.Slot slot) {
    Map<String, Object> bootstrap =
        Map.of(
            "xds_servers",
                List.of(
                    Map.of(
                        "server_uri", "127.0.0.1:" + slot.xdsPort(),
                        "channel_creds", List.of(Map.of("type", "insecure")),
                        "server_features", List.of("xds_v3"))),
            "node", Map.of("id", "soak-grpc-client", "cluster", SoakSystem.NAMESPACE + "/edge"));
    return Grpc.newChannelBuilder("xds-soak:///echo.soak", InsecureChannelCredentials.create())
        .nameResolverFactory(XdsNameResolverProvider.createForTest("xds-soak", bootstrap))
        .build();
  }

  private static void applySlice(String service, List<NetnsBackend> backends, Set<String> ready) {
    List<String> endpoints =
        backends.stream()
            .map(
                backend ->
                    "{addresses: ["
                        + backend.address()
                        + "], conditions: {ready: "
                        + ready.contains(backend.address())
                        + "}}")
            .toList();
    API_SERVER.apply(E2eObjects.slice(service, endpoints));
  }

  private static boolean accepted(String upstream) {
    return condition(upstream, "Accepted").filter(c -> c.getStatus().equals("True")).isPresent();
  }

  private static Optional<Condition> condition(String upstream, String type) {
    Upstream found =
        API_SERVER
            .client()
            .resources(Upstream.class)
            .inNamespace(SoakSystem.NAMESPACE)
            .withName(upstream)
            .get();
    return found == null || found.getStatus() == null
        ? Optional.empty()
        : found.getStatus().conditions().stream().filter(c -> c.getType().equals(type)).findFirst();
  }

  /** What the Upstream's status says of the proxies of every replica. */
  private static Optional<UpstreamProxies> proxies(String upstream) {
    Upstream found =
        API_SERVER
            .client()
            .resources(Upstream.class)
            .inNamespace(SoakSystem.NAMESPACE)
            .withName(upstream)
            .get();
    return found == null || found.getStatus() == null
        ? Optional.empty()
        : Optional.ofNullable(found.getStatus().proxies());
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
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + listenerPort + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /**
   * Paces a loop: waits {@code millis}, or less once the run is stopped ({@link #stopped}), so that
   * every loop ends promptly when the run does, failed or not.
   */
  private void pause(long millis) {
    try {
      stopped.await(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
