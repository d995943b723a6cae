package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.NetnsBackend;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestHosts;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
 * other ADS mode), a <b>producer</b> that keeps bounded real load on it (HTTP through Envoy, EndpointSlice churn,
 * user edits of an Upstream, allocations and releases) and a <b>monitor</b> that checks service levels all the while
 * (Envoy holds the endpoints and the edited setting the cluster says, within a bound; every Upstream and HTTPRoute
 * is accepted within a bound; no endpoint is ever held twice; traffic succeeds outside announced disruptions; heap
 * stays bounded; no ERROR line is logged). It prints a summary table and fails on any failed check, keeping the
 * logs ({@code e2e/target/fairlead-*.log}).
 *
 * <p>Fast mode (CI) runs 3 minutes with a change every 20 s; soak mode runs for hours:
 * {@code ./mvnw -B -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=SoakIT
 * -Dfailsafe.failIfNoSpecifiedTests=false -Dfairlead.soak.mode=soak -Dfairlead.soak.duration=PT1H}. Every loop is
 * bounded by the run's deadline; everything talks to 127.0.0.1.
 */
class SoakIT {

  private static final String WATCH_LABEL = "fairlead.dev/soak=yes";
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

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ServiceLevels levels = new ServiceLevels();
  /** What the cluster says now: the ready web endpoints and the edited connect timeout, and since when. */
  private final AtomicReference<Expected> expected = new AtomicReference<>();
  /** Endpoint → allocation name, for allocations a client holds. */
  private final Map<String, String> held = new ConcurrentHashMap<>();
  private final int listenerPort = LoopbackPorts.free();
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
    List<NetnsBackend> web = List.of(HOSTS.http("soak-web-1"), HOSTS.http("soak-web-2"), HOSTS.http("soak-web-3"));
    List<NetnsBackend> game = List.of(HOSTS.http("soak-game-1"), HOSTS.http("soak-game-2"),
        HOSTS.http("soak-game-3"), HOSTS.http("soak-game-4"));
    createObjects(web, game);

    try (SoakSystem system = new SoakSystem(API_SERVER, ENVOYS, WATCH_LABEL)) {
      for (SoakSystem.Slot slot : system.slots()) {
        system.start(slot, List.of());
      }
      enableAllocationMode();
      system.startEnvoy(AdsMode.DELTA);
      await("traffic flows before the run starts").atMost(settings.bound()).ignoreExceptions()
          .until(() -> get("/web").statusCode() == 200);

      Instant deadline = Instant.now().plus(settings.duration());
      ExecutorService loops = Executors.newFixedThreadPool(5);
      List<Future<?>> futures = List.of(
          loops.submit(() -> traffic(deadline)),
          loops.submit(() -> churn(web, deadline)),
          loops.submit(() -> allocations(system, deadline)),
          loops.submit(() -> monitor(system, settings, deadline)),
          loops.submit(() -> wander(system, settings, deadline)));
      try {
        for (Future<?> future : futures) {
          future.get(settings.duration().toSeconds() + 300, TimeUnit.SECONDS);
        }
      } finally {
        stopped.countDown();
        loops.shutdown();
      }

      List<ServiceLevels.Row> rows = serviceLevels(system);
      System.out.println("SOAK summary (seed " + settings.seed() + ", actions " + levels.actions() + ")\n"
          + ServiceLevels.table(rows));
      levels.violations().stream().limit(20).forEach(v -> System.out.println("SOAK violation: " + v));
      assertThat(rows).allSatisfy(row -> assertThat(row.passed()).as(row.check() + ": " + row.measured()).isTrue());
    }
  }

  // ---- producer ----

  /** HTTP through Envoy every 50 ms: a success is a 200 from one of the web backends. */
  private void traffic(Instant deadline) {
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      Instant at = Instant.now();
      boolean ok;
      try {
        HttpResponse<String> response = get("/web");
        ok = response.statusCode() == 200 && response.headers().firstValue(HttpBackend.IDENTITY_HEADER).isPresent();
      } catch (Exception e) {
        ok = false;
      }
      levels.request(at, ok);
      pause(50);
    }
  }

  /** Every 2 s one web endpoint turns ready or not; every 7 s a user edits the web Upstream's connect timeout. */
  private void churn(List<NetnsBackend> web, Instant deadline) {
    Random random = new Random();
    long round = 0;
    while (Instant.now().isBefore(deadline) && stopped.getCount() > 0) {
      round++;
      try {
        NetnsBackend flipped = web.get(1 + random.nextInt(web.size() - 1));
        Set<String> ready = new TreeSet<>(expected.get().readyAddresses());
        if (!ready.remove(flipped.address())) {
          ready.add(flipped.address());
        }
        String timeout = expected.get().connectTimeout();
        if (round % 4 == 0) {
          timeout = timeout.equals("2s") ? "3s" : "2s";
          API_SERVER.client().resources(Upstream.class).inNamespace(SoakSystem.NAMESPACE).withName("web-http")
              .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\": {\"connectTimeout\": \"" + timeout + "\"}}");
          levels.count("edits");
        }
        applySlice("web", web, ready);
        expected.set(new Expected(ready, timeout, Instant.now()));
        levels.count("endpoint changes");
      } catch (RuntimeException e) {
        levels.violation("churn could not write to the API server: " + e);
      }
      pause(2000);
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
        boolean accepted = accepted("web-http") && accepted("game-http");
        statusWrongSince = accepted ? null : (statusWrongSince == null ? now : statusWrongSince);
        if (statusWrongSince != null && Duration.between(statusWrongSince, now).compareTo(settings.bound()) > 0) {
          levels.violation("an Upstream has not been Accepted for " + settings.bound());
          levels.count("status bound exceeded");
          statusWrongSince = now;
        }
        for (SoakSystem.Slot slot : system.runningSlots()) {
          Matcher heap = HEAP.matcher(system.get(slot, "/metrics").body());
          long bytes = 0;
          while (heap.find()) {
            bytes += (long) Double.parseDouble(heap.group(1));
          }
          levels.max("heap bytes", bytes);
        }
      } catch (Exception e) {
        levels.count("monitor samples cut off");
      }
      pause(1000);
    }
  }

  // ---- wanderer ----

  private enum Action {
    KILL_REPLICA, KILL_LEADER, RESTART_WITH_OTHER_FLAGS, SCALE_TO_ONE_AND_BACK, RESTART_ENVOY_OTHER_MODE
  }

  /** Every period, one random change; it waits for the system to be whole again before the next. */
  private void wander(SoakSystem system, SoakSettings settings, Instant deadline) {
    Random random = new Random(settings.seed());
    List<String> textOrJson = List.of("--log-format", "text");
    int count = 0;
    while (Instant.now().plus(settings.period()).isBefore(deadline) && count < 10_000 && stopped.getCount() > 0) {
      pause(settings.period().toMillis());
      Action action = Action.values()[random.nextInt(Action.values().length)];
      count++;
      levels.action(action.name());
      try {
        switch (action) {
          case KILL_REPLICA -> {
            SoakSystem.Slot slot = system.slots().get(random.nextInt(system.slots().size()));
            system.kill(slot);
            system.start(slot, textOrJson);
          }
          case KILL_LEADER -> {
            Optional<SoakSystem.Slot> leader = system.leader();
            if (leader.isPresent()) {
              system.kill(leader.get());
              system.start(leader.get(), textOrJson);
            }
          }
          case RESTART_WITH_OTHER_FLAGS -> {
            SoakSystem.Slot slot = system.slots().get(random.nextInt(system.slots().size()));
            textOrJson = List.of("--log-format", random.nextBoolean() ? "json" : "text",
                "--leader-election-lease-duration", random.nextBoolean() ? "4s" : "8s");
            system.stop(slot);
            system.start(slot, textOrJson);
          }
          case SCALE_TO_ONE_AND_BACK -> {
            SoakSystem.Slot slot = system.slots().get(1);
            system.stop(slot);
            pause(settings.period().toMillis() / 2);
            system.start(slot, textOrJson);
          }
          case RESTART_ENVOY_OTHER_MODE -> {
            Instant start = Instant.now();
            system.startEnvoy(system.envoyMode() == AdsMode.DELTA ? AdsMode.SOTW : AdsMode.DELTA);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> get("/web").statusCode() == 200);
            levels.disruption("Envoy restart", start, Instant.now().plusSeconds(1));
          }
        }
      } catch (Exception e) {
        levels.violation("wanderer: " + action + " failed: " + e);
      }
    }
  }

  // ---- summary ----

  private List<ServiceLevels.Row> serviceLevels(SoakSystem system) {
    long[] traffic = levels.trafficOutsideDisruptions();
    double success = traffic[0] == 0 ? 0 : 100.0 * (traffic[0] - traffic[1]) / traffic[0];
    long errors = system.logs().values().stream()
        .flatMap(String::lines)
        .filter(line -> line.contains(" ERROR ") || line.contains("\"level\":\"ERROR\""))
        .count();
    long heap = levels.maximum("heap bytes");
    List<ServiceLevels.Row> rows = new ArrayList<>();
    rows.add(new ServiceLevels.Row("traffic success outside disruptions", ">= 99.9 %",
        String.format("%.3f %% of %d", success, traffic[0]), traffic[0] > 0 && success >= 99.9));
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
    rows.add(new ServiceLevels.Row("ERROR log lines", "0", Long.toString(errors), errors == 0));
    rows.add(new ServiceLevels.Row("wanderer actions without failure", "all",
        levels.violations().stream().filter(v -> v.contains("wanderer:")).count() + " failed of "
            + levels.actions().values().stream().mapToLong(Long::longValue).sum(),
        levels.violations().stream().noneMatch(v -> v.contains("wanderer:"))));
    return rows;
  }

  // ---- helpers ----

  private void createObjects(List<NetnsBackend> web, List<NetnsBackend> game) {
    API_SERVER.apply(E2eObjects.gateway("edge", listenerPort));
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
