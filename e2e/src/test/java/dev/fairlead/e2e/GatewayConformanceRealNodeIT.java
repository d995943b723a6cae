package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fairlead.e2e.ConformanceLists.Outcome;
import dev.fairlead.testkit.ConformanceTools;
import dev.fairlead.testkit.FailureReports;
import dev.fairlead.testkit.RealCluster;
import dev.fairlead.testkit.Tools;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.LocalPortForward;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official Gateway API conformance suite ({@code sigs.k8s.io/gateway-api/conformance} at the
 * pinned version, built unmodified by {@code scripts/provision-conformance.sh}) against Fairlead
 * installed with its chart on the real node, its provisioner running an Envoy Deployment and a
 * ClusterIP Service for each Gateway (so each Gateway has an address of its own, as the suite
 * needs: every base Gateway listens on port 80).
 *
 * <p>The binary gets the GatewayClass {@value #GATEWAY_CLASS}, the profiles {@link #PROFILES},
 * exactly the features in {@code conformance/supported-features.txt} and the tests of {@code
 * conformance/skip-tests.txt} to skip, and writes its report to {@code
 * target/conformance/report.yaml} ({@code scripts/conformance-report.sh} publishes it). The first
 * test fails when the binary does; the second runs each skipped test alone and fails when one
 * passes, so the skip list holds only tests that fail.
 *
 * <p>Nothing of the suite's objects is touched: the node holds the images its base manifests name
 * (their pull policy is {@code IfNotPresent}), so no pod asks a registry.
 *
 * <p>It runs with {@code -Pconformance} (property {@code fairlead.conformance}); see CONTRIBUTING
 * for its wall time. On failure, {@code
 * target/failure-reports/GatewayConformanceRealNodeIT/<test>/} holds the conformance namespaces'
 * objects with their statuses, each managed Envoy's {@code /config_dump}, Fairlead's log and the
 * binary's output. The suite deletes each test's own objects when the test ends, so the last state
 * of every Gateway, HTTPRoute and GRPCRoute seen in those namespaces during the run, deleted ones
 * included, is kept too ({@code objects-last-seen.yaml}, recorded by informers): a failed test's
 * Gateway and routes with the status Fairlead last wrote.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayConformanceRealNodeIT {

  @RegisterExtension static final RealCluster CLUSTER = new RealCluster();

  @RegisterExtension final Diagnostics diagnostics = new Diagnostics();

  static final String GATEWAY_CLASS = "fairlead-conformance";
  static final List<String> PROFILES = List.of("GATEWAY-HTTP", "GATEWAY-GRPC");
  private static final String RELEASE = "fairlead";
  private static final String SYSTEM = "fairlead-system";
  private static final String CONFORMANCE_NAMESPACES = "gateway-conformance";
  private static final String PROXY_LABEL = "fairlead.dev/proxy";
  private static final int PROXY_ADMIN_PORT = 19000;
  private static final Path LISTS = Path.of("../conformance");
  private static final Path OUT = Path.of("target", "conformance");

  /**
   * Failing tests wait out their timeouts (about a minute each); the whole run is bounded all the
   * same.
   */
  private static final Duration RUN_BOUND = Duration.ofMinutes(100);

  private static final String URL = "https://github.com/fairlead/fairlead";

  private static FairleadRelease fairlead;
  private static final LastSeen LAST_SEEN = new LastSeen();

  @BeforeAll
  static void installFairleadWithItsProvisioner() throws IOException {
    assumeTrue(
        Boolean.getBoolean("fairlead.conformance"),
        "the conformance suite runs with -Pconformance (it takes long: see CONTRIBUTING)");
    ConformanceTools tools = ConformanceTools.get();
    assumeTrue(tools.unavailable().isEmpty(), () -> tools.unavailable().orElseThrow());
    Files.createDirectories(OUT);
    tools.imageArchives().forEach(CLUSTER::importImage);
    fairlead =
        FairleadRelease.install(
            CLUSTER,
            RELEASE,
            SYSTEM,
            "--set",
            "provisioner.enabled=true",
            "--set",
            "provisioner.proxyImage=fairlead.dev/envoy:" + Tools.get().envoyVersion());
    // The node has no load-balancer controller: each Gateway's Envoys get a ClusterIP Service,
    // whose address the
    // Gateway's status carries and the root namespace routes to.
    apply(
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: GatewayParameters
        metadata: {name: conformance, namespace: %s}
        spec:
          service: {type: ClusterIP}
        """
            .formatted(SYSTEM));
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: %s}
        spec:
          controllerName: fairlead.dev/gateway-controller
          parametersRef: {group: fairlead.dev, kind: GatewayParameters, name: conformance, namespace: %s}
        """
            .formatted(GATEWAY_CLASS, SYSTEM));
    LAST_SEEN.watch(Gateway.class);
    LAST_SEEN.watch(HTTPRoute.class);
    LAST_SEEN.watch(GRPCRoute.class);
  }

  /**
   * The node outlives this suite: what it ran stops here, so it loads nothing while later suites
   * run.
   */
  @AfterAll
  static void removeTheSuitesObjectsAndFairlead() {
    LAST_SEEN.close();
    if (fairlead == null) {
      return;
    }
    client().namespaces().list().getItems().stream()
        .map(ns -> ns.getMetadata().getName())
        .filter(name -> name.startsWith(CONFORMANCE_NAMESPACES))
        .forEach(name -> client().namespaces().withName(name).delete());
    client().resources(GatewayClass.class).withName(GATEWAY_CLASS).delete();
    CLUSTER.helm().run("uninstall", RELEASE, "--namespace", SYSTEM, "--wait");
  }

  @Test
  @Order(1)
  void theOfficialSuitePassesEveryTestOfTheSupportedFeaturesNotOnTheSkipList() {
    Map<String, String> skipped = ConformanceLists.skipTests(LISTS.resolve("skip-tests.txt"));
    List<String> args = new ArrayList<>(suiteArgs());
    args.add("-report-output=" + OUT.resolve("report.yaml").toAbsolutePath());
    if (!skipped.isEmpty()) {
      args.add("-skip-tests=" + String.join(",", skipped.keySet()));
    }

    Run run = run("suite", args);

    Map<String, Outcome> outcomes = ConformanceLists.outcomes(run.output());
    // A failure outside any test (the setup) names no test: the output's end says what went wrong.
    assertThat(run.exitCode())
        .as(
            "conformance.test exited with %d; failed tests: %s; output in %s, ending:%n%s",
            run.exitCode(), failed(outcomes), run.log(), tail(run.output(), 12))
        .isZero();
    assertThat(outcomes)
        .as("the suite ran conformance tests (output in %s)", run.log())
        .containsValue(Outcome.PASS)
        .doesNotContainValue(Outcome.FAIL);
    System.out.printf(
        "Gateway API conformance: %d passed, %d skipped in %s%n",
        outcomes.values().stream().filter(Outcome.PASS::equals).count(),
        outcomes.values().stream().filter(Outcome.SKIP::equals).count(),
        run.took());
  }

  @Test
  @Order(2)
  void everyTestOnTheSkipListStillFails() {
    Map<String, String> skipped = ConformanceLists.skipTests(LISTS.resolve("skip-tests.txt"));
    Map<String, String> passing = new TreeMap<>();
    for (String test : skipped.keySet()) {
      List<String> args = new ArrayList<>(suiteArgs());
      args.add("-run-test=" + test);
      Run run = run("skipped-" + test, args);
      Outcome outcome = ConformanceLists.outcomes(run.output()).get(test);
      assertThat(outcome).as("%s ran (output in %s)", test, run.log()).isNotNull();
      if (outcome == Outcome.PASS) {
        passing.put(test, skipped.get(test));
      }
    }
    assertThat(passing)
        .as("tests on conformance/skip-tests.txt that pass: take them off the list")
        .isEmpty();
  }

  /**
   * What every run of the binary is given: the class, profiles, features, report fields and the
   * node.
   */
  private static List<String> suiteArgs() {
    List<String> features =
        ConformanceLists.supportedFeatures(LISTS.resolve("supported-features.txt"));
    return List.of(
        "-test.v",
        // The suite alone: the package's own tests of its options read files beside its source.
        "-test.run=^TestConformance$",
        "-test.timeout=" + RUN_BOUND.toMinutes() + "m",
        "-gateway-class=" + GATEWAY_CLASS,
        "-conformance-profiles=" + String.join(",", PROFILES),
        "-supported-features=" + String.join(",", features),
        // The base objects stay between the runs of the skipped tests, so each does not wait for
        // them again.
        "-cleanup-base-resources=false",
        "-organization=fairlead",
        "-project=fairlead",
        "-url=" + URL,
        "-version=" + System.getProperty("fairlead.version", "unknown"),
        "-contact=" + URL + "/issues");
  }

  private record Run(int exitCode, String output, Path log, Duration took) {}

  /**
   * Runs the binary with {@code args}, its output (both streams) kept in {@code
   * target/conformance/<name>.log}.
   */
  private static Run run(String name, List<String> args) {
    Path log = OUT.resolve(name + ".log").toAbsolutePath();
    List<String> command = new ArrayList<>();
    command.add(ConformanceTools.get().binary().toString());
    command.addAll(args);
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .directory(OUT.toFile());
    builder.environment().put("KUBECONFIG", CLUSTER.kubeconfig().toString());
    Instant start = Instant.now();
    try {
      Process process = builder.start();
      if (!process.waitFor(RUN_BOUND.toMinutes() + 5, TimeUnit.MINUTES)) {
        process.destroyForcibly().waitFor();
        throw new AssertionError(
            "conformance.test did not finish within " + RUN_BOUND + " (output in " + log + ")");
      }
      Duration took = Duration.between(start, Instant.now());
      System.out.printf(
          "conformance.test %s: exit %d after %s (output in %s)%n",
          name, process.exitValue(), took, log);
      return new Run(process.exitValue(), Files.readString(log), log, took);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while running the conformance suite", e);
    }
  }

  private static String tail(String output, int lines) {
    List<String> all = output.lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  private static String failed(Map<String, Outcome> outcomes) {
    return outcomes.entrySet().stream()
        .filter(e -> e.getValue() == Outcome.FAIL)
        .map(Map.Entry::getKey)
        .collect(Collectors.joining(", ", "[", "]"));
  }

  private static KubernetesClient client() {
    return CLUSTER.client();
  }

  private static void apply(String yaml) {
    client().resource(yaml).forceConflicts().serverSideApply();
  }

  /**
   * The last state of every object of the given kinds in the conformance namespaces, as informers
   * saw it: updated on each add and update, and kept at its final state when deleted. Thread-safe.
   */
  static final class LastSeen {

    private record Seen(HasMetadata object, String state) {}

    private final Map<String, Seen> objects = new ConcurrentSkipListMap<>();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();

    <T extends HasMetadata> void watch(Class<T> kind) {
      informers.add(
          client()
              .resources(kind)
              .inAnyNamespace()
              .inform(
                  new ResourceEventHandler<T>() {
                    @Override
                    public void onAdd(T object) {
                      record(object, "");
                    }

                    @Override
                    public void onUpdate(T before, T object) {
                      record(object, "");
                    }

                    @Override
                    public void onDelete(T object, boolean finalStateUnknown) {
                      record(
                          object,
                          finalStateUnknown ? " (deleted; its final state unknown)" : " (deleted)");
                    }
                  }));
    }

    private void record(HasMetadata object, String state) {
      String namespace = object.getMetadata().getNamespace();
      if (namespace != null && namespace.startsWith(CONFORMANCE_NAMESPACES)) {
        objects.put(
            object.getKind() + " " + namespace + "/" + object.getMetadata().getName(),
            new Seen(object, state));
      }
    }

    /** Every object recorded, each a YAML document headed by a comment naming it, in name order. */
    String yaml() {
      StringBuilder out = new StringBuilder();
      objects.forEach(
          (name, seen) ->
              out.append("# ")
                  .append(name)
                  .append(seen.state())
                  .append('\n')
                  .append(client().getKubernetesSerialization().asYaml(seen.object())));
      return out.toString();
    }

    void close() {
      informers.forEach(SharedIndexInformer::close);
    }
  }

  /**
   * On a failed test, writes what a person needs to its failure-report directory: the conformance
   * namespaces' Gateway API objects, Services and pods with their statuses, the GatewayClass, each
   * managed Envoy's {@code /config_dump} (through a port-forward to its admin port, which listens
   * on the pod's loopback only), Fairlead's log and the binary's output.
   */
  static final class Diagnostics implements AfterTestExecutionCallback {

    private static final HttpClient HTTP =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Override
    public void afterTestExecution(ExtensionContext context) throws IOException {
      if (context.getExecutionException().isEmpty() || fairlead == null) {
        return;
      }
      Path dir = FailureReports.directoryFor(context);
      Files.createDirectories(dir);
      write(
          dir.resolve("gatewayclass.yaml"),
          CLUSTER.kubectl().run("get", "gatewayclass", GATEWAY_CLASS, "-o", "yaml").stdout());
      for (String ns :
          client().namespaces().list().getItems().stream()
              .map(n -> n.getMetadata().getName())
              .filter(n -> n.startsWith(CONFORMANCE_NAMESPACES))
              .toList()) {
        write(
            dir.resolve("objects-" + ns + ".yaml"),
            CLUSTER
                .kubectl()
                .run(
                    "get",
                    "-n",
                    ns,
                    "-o",
                    "yaml",
                    "gateways.gateway.networking.k8s.io,httproutes.gateway.networking.k8s.io,"
                        + "grpcroutes.gateway.networking.k8s.io,referencegrants.gateway.networking.k8s.io,"
                        + "services,endpointslices,deployments,pods")
                .stdout());
      }
      for (Pod pod : client().pods().inAnyNamespace().withLabel(PROXY_LABEL).list().getItems()) {
        String name = pod.getMetadata().getNamespace() + "_" + pod.getMetadata().getName();
        write(dir.resolve("envoy-" + name + "-config_dump.json"), configDump(pod));
      }
      write(dir.resolve("objects-last-seen.yaml"), LAST_SEEN.yaml());
      write(dir.resolve("fairlead.log"), fairlead.logs(-1));
      try (var logs = Files.list(OUT)) {
        for (Path log : logs.filter(p -> p.toString().endsWith(".log")).toList()) {
          Files.copy(log, dir.resolve("conformance-" + log.getFileName()));
        }
      }
      System.out.println("Conformance diagnostics written to " + dir.toAbsolutePath());
    }

    private static String configDump(Pod pod) {
      try (LocalPortForward forward =
          client()
              .pods()
              .inNamespace(pod.getMetadata().getNamespace())
              .withName(pod.getMetadata().getName())
              .portForward(PROXY_ADMIN_PORT, InetAddress.getLoopbackAddress(), 0)) {
        HttpResponse<String> response =
            HTTP.send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + forward.getLocalPort()
                                + "/config_dump?include_eds"))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
      } catch (IOException e) {
        return "config_dump not reachable through a port-forward: " + e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "interrupted while reading config_dump";
      }
    }

    private static void write(Path file, String text) throws IOException {
      Files.writeString(file, text);
    }
  }
}
