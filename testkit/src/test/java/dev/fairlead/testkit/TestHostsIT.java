package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * {@link TestHosts} against the real kernel: network namespaces, veth pairs and the Python backend.
 * Needs root (or CAP_SYS_ADMIN and CAP_NET_ADMIN) and iproute2; fails, naming what is missing,
 * without them.
 */
class TestHostsIT {

  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @RegisterExtension final TestHosts hosts = new TestHosts();

  @Test
  void backendsAnswerFromTheRootNamespaceWithTheirIdentityOnDistinctAddresses() throws Exception {
    NetnsBackend blue = hosts.http("blue");
    NetnsBackend green = hosts.http("green");

    HttpResponse<String> fromBlue = get(blue, "/any/path?x=1");
    HttpResponse<String> postToGreen =
        CLIENT.send(
            HttpRequest.newBuilder(uri(green, "/orders"))
                .timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString("a body the backend must read past"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> fromGreenAgain = get(green, "/");

    assertThat(blue.address()).startsWith("10.213.").isNotEqualTo(green.address());
    assertThat(blue.port()).isEqualTo(green.port()).isEqualTo(8080);
    assertThat(blue.namespace())
        .isEqualTo(green.namespace())
        .startsWith("fl-" + ProcessHandle.current().pid() + "-");
    assertIdentity(fromBlue, 200, "blue");
    assertIdentity(postToGreen, 200, "green");
    assertIdentity(fromGreenAgain, 200, "green");
  }

  @Test
  void respondWithChangesTheStatusOfLaterRequests() throws Exception {
    NetnsBackend amber = hosts.http("amber");

    amber.respondWith(503);
    HttpResponse<String> failing = get(amber, "/");
    amber.respondWith(200);
    HttpResponse<String> healed = get(amber, "/");

    assertIdentity(failing, 503, "amber");
    assertIdentity(healed, 200, "amber");
  }

  @Test
  void countsEveryRequestFromManyThreadsButNoControlCall() throws Exception {
    NetnsBackend teal = hosts.http("teal");
    int threads = 8;
    int perThread = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Integer>> answered = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        answered.add(
            pool.submit(
                () -> {
                  int ok = 0;
                  for (int i = 0; i < perThread; i++) {
                    ok += get(teal, "/n/" + i).statusCode() == 200 ? 1 : 0;
                  }
                  return ok;
                }));
      }
      int total = 0;
      for (Future<Integer> f : answered) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      teal.respondWith(200);

      assertThat(total).isEqualTo((long) threads * perThread);
      assertThat(teal.requests()).isEqualTo((long) threads * perThread);
      assertThat(teal.requests()).isEqualTo((long) threads * perThread);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theNamespaceReachesNothingButItsVeth() {
    NetnsBackend plum = hosts.http("plum");
    String subnet = plum.address().substring(0, plum.address().lastIndexOf('.')) + ".0/24";

    List<String> routes =
        ip("-n", plum.namespace(), "-4", "route", "show", "table", "all")
            .lines()
            .filter(line -> !line.startsWith("local ") && !line.startsWith("broadcast "))
            .toList();
    List<String> links =
        ip("-n", plum.namespace(), "-o", "link", "show")
            .lines()
            .map(line -> line.split(":")[1].strip().split("@")[0])
            .toList();

    assertThat(routes).singleElement().asString().startsWith(subnet + " dev veth0 ");
    assertThat(links).containsExactlyInAnyOrder("lo", "veth0");
    assertThat(ip("-4", "route", "show", subnet))
        .startsWith(subnet + " dev flh")
        .doesNotContain("via");
  }

  @Test
  void everythingIsRemovedWhenTheTestMethodEnds() {
    EngineExecutionResults results = runInner(MethodScoped.class);

    results.testEvents().assertStatistics(stats -> stats.started(1).succeeded(1));
    assertGone(MethodScoped.started.get());
  }

  @Test
  void aNamespaceStartedBeforeAllLastsForTheClassAndMethodBackendsForTheirMethod() {
    EngineExecutionResults results = runInner(ClassScoped.class);

    results.testEvents().assertStatistics(stats -> stats.started(2).succeeded(2));
    assertGone(ClassScoped.beforeAll.get());
    assertThat(ClassScoped.inFirstMethod.get().isAlive()).isFalse();
  }

  @Test
  void aFailedTestGetsEachBackendLogAndTheNamespaceAttached() throws Exception {
    EngineExecutionResults results = runInner(FailingWithABackend.class);

    results.testEvents().assertStatistics(stats -> stats.started(1).failed(1));
    Map<String, String> entries = new HashMap<>();
    results.allEvents().reportingEntryPublished().stream()
        .map(event -> event.getRequiredPayload(ReportEntry.class))
        .forEach(entry -> entries.putAll(entry.getKeyValuePairs()));
    String namespace = FailingWithABackend.started.get().namespace();
    assertThat(entries).containsKeys("backend-coral.log", namespace + ".txt");
    assertThat(Files.readString(Path.of(entries.get("backend-coral.log"))))
        .contains("\"GET /seen-in-the-log HTTP/1.1\" 200");
    assertThat(Files.readString(Path.of(entries.get(namespace + ".txt"))))
        .contains(FailingWithABackend.started.get().address() + "/24");
    assertGone(FailingWithABackend.started.get());
  }

  @Test
  void namespacesOfDeadJvmsAreRemovedWithTheirProcessesAndLiveOnesKept() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor(10, TimeUnit.SECONDS);
    long deadPid = finished.pid();
    String stale = "fl-" + deadPid + "-1";
    String staleVeth = "flh" + deadPid + "-2";
    String live = "fl-" + ProcessHandle.current().pid() + "-99999";
    ip("netns", "add", stale);
    ip("link", "add", staleVeth, "type", "veth", "peer", "name", "flq" + deadPid + "-2");
    ip("netns", "add", live);
    Process leftOver = new ProcessBuilder("ip", "netns", "exec", stale, "sleep", "300").start();
    try {
      TestHostNamespace.removeStale();

      assertThat(leftOver.waitFor(10, TimeUnit.SECONDS))
          .as("process left in " + stale + " was killed")
          .isTrue();
      assertThat(namespaces()).contains(live).doesNotContain(stale);
      assertThat(
              CommandResult.run(List.of("ip", "link", "show", staleVeth), Duration.ofSeconds(10))
                  .exitCode())
          .as("stale veth " + staleVeth + " deleted")
          .isNotZero();
    } finally {
      leftOver.destroyForcibly();
      CommandResult.run(List.of("ip", "netns", "delete", live), Duration.ofSeconds(10));
      CommandResult.run(List.of("ip", "netns", "delete", stale), Duration.ofSeconds(10));
      CommandResult.run(List.of("ip", "link", "delete", staleVeth), Duration.ofSeconds(10));
    }
  }

  @Test
  void availabilityIsProbedWithoutLeavingAnythingBehind() {
    assertThat(TestHosts.available()).as(TestHosts.unavailableReason()).isTrue();
    assertThat(TestHosts.unavailableReason()).isEmpty();
    assertThat(namespaces()).doesNotContain("fl-" + ProcessHandle.current().pid() + "-0");
  }

  private static void assertIdentity(HttpResponse<String> response, int status, String name) {
    assertThat(response.statusCode()).isEqualTo(status);
    assertThat(response.body()).isEqualTo(name + "\n");
    assertThat(response.headers().firstValue(HttpBackend.IDENTITY_HEADER)).hasValue(name);
  }

  private static void assertGone(NetnsBackend backend) {
    String namespace = backend.namespace();
    assertThat(backend.isAlive()).as(backend + " stopped").isFalse();
    assertThat(namespaces()).as("namespaces after the scope ended").doesNotContain(namespace);
    assertThat(ip("-o", "link", "show"))
        .as("root-side veth of " + namespace)
        .doesNotContain(namespace.replaceFirst("^fl-", "flh") + "@");
  }

  private static List<String> namespaces() {
    return ip("netns", "list").lines().map(line -> line.split("\\s")[0]).toList();
  }

  private static String ip(String... args) {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    return CommandResult.run(command, Duration.ofSeconds(10)).requireSuccess().stdout();
  }

  private static HttpResponse<String> get(NetnsBackend backend, String path) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(uri(backend, path)).timeout(Duration.ofSeconds(5)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(NetnsBackend backend, String path) {
    return URI.create("http://" + backend.address() + ":" + backend.port() + path);
  }

  /** Runs one of the classes below through the Jupiter engine, as this test's own run would. */
  private static EngineExecutionResults runInner(Class<?> testClass) {
    Inner.launched = true;
    try {
      return EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute();
    } finally {
      Inner.launched = false;
    }
  }

  /** The classes below run only through {@link #runInner}: one of them fails on purpose. */
  static final class Inner {
    static volatile boolean launched;

    private Inner() {}
  }

  static class MethodScoped {
    static final AtomicReference<NetnsBackend> started = new AtomicReference<>();

    @RegisterExtension final TestHosts hosts = new TestHosts();

    @BeforeEach
    void onlyFromTestHostsIT() {
      assumeTrue(Inner.launched, "run by TestHostsIT");
    }

    @Test
    void startsABackend() throws Exception {
      NetnsBackend backend = hosts.http("indigo");
      started.set(backend);
      assertThat(get(backend, "/").statusCode()).isEqualTo(200);
      assertThat(namespaces()).contains(backend.namespace());
    }
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class ClassScoped {
    static final AtomicReference<NetnsBackend> beforeAll = new AtomicReference<>();
    static final AtomicReference<NetnsBackend> inFirstMethod = new AtomicReference<>();

    @RegisterExtension static final TestHosts HOSTS = new TestHosts();

    @BeforeAll
    static void startClassBackend() {
      assumeTrue(Inner.launched, "run by TestHostsIT");
      beforeAll.set(HOSTS.http("olive"));
    }

    @Test
    @Order(1)
    void methodBackendSharesTheClassNamespace() throws Exception {
      NetnsBackend backend = HOSTS.http("lime");
      inFirstMethod.set(backend);
      assertThat(backend.namespace()).isEqualTo(beforeAll.get().namespace());
      assertThat(get(backend, "/").body()).isEqualTo("lime\n");
    }

    @Test
    @Order(2)
    void classBackendOutlivesTheMethodBackend() throws Exception {
      assertThat(inFirstMethod.get().isAlive()).isFalse();
      assertThat(get(beforeAll.get(), "/").body()).isEqualTo("olive\n");
    }

    @AfterAll
    static void namespaceStillThereUntilTheExtensionEndsTheClass() {
      assertThat(namespaces()).contains(beforeAll.get().namespace());
    }
  }

  static class FailingWithABackend {
    static final AtomicReference<NetnsBackend> started = new AtomicReference<>();

    @RegisterExtension final TestHosts hosts = new TestHosts();

    @BeforeEach
    void onlyFromTestHostsIT() {
      assumeTrue(Inner.launched, "run by TestHostsIT");
    }

    @Test
    void fails() throws Exception {
      NetnsBackend backend = hosts.http("coral");
      started.set(backend);
      get(backend, "/seen-in-the-log");
      throw new AssertionError("failing on purpose, so TestHosts attaches its diagnostics");
    }
  }
}
