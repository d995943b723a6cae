package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.allocator.UnallocatedStatus;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.app.AllocatorOptions;
import dev.fairlead.app.Fairlead;
import dev.fairlead.app.KubernetesFairlead;
import dev.fairlead.app.KubernetesOptions;
import dev.fairlead.app.LeaderElectionOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.GoldenFiles;
import dev.fairlead.testkit.Helm;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.tls.ServerTransport;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The Helm chart ({@code charts/fairlead}): {@code helm lint --strict}, {@code helm template}
 * against recorded manifests, an install into the real API server (which validates every rendered
 * object server-side), a value for every flag of {@code fairlead run}, and Fairlead itself running
 * as the chart's service account, so that the RBAC rules are shown to be enough.
 *
 * <p>Each values set is {@code src/test/resources/helm/in/<case>.yaml}; its rendering is {@code
 * out/<case>.yaml}. After a deliberate change to the chart, re-record and review the diff:
 *
 * <pre>
 * ./mvnw -B -o -Dfairlead.skipProvision=true -pl e2e -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test='HelmChart*' -Dfailsafe.failIfNoSpecifiedTests=false -Dfairlead.golden.update=true
 * </pre>
 */
class HelmChartRealApiServerIT {

  static final Path CHART = Path.of("../charts/fairlead");
  static final Path CASES = Path.of("src/test/resources/helm");
  private static final Duration BOUND = Duration.ofSeconds(60);

  /**
   * Flags of {@code fairlead run} the chart deliberately leaves unset: standalone mode is not what
   * a cluster install runs, and in a pod the client uses the service account.
   */
  private static final Set<String> NOT_FOR_A_POD =
      Set.of("FAIRLEAD_CONFIG_DIR", "FAIRLEAD_KUBECONFIG");

  private static final Pattern ENV_DEFAULT = Pattern.compile("\\$\\{env:(FAIRLEAD_[A-Z0-9_]+)");

  /** A values set, the release it is rendered and installed as, and the namespaces it watches. */
  enum ChartCase {
    DEFAULTS("defaults", "fairlead", "fairlead-system", List.of()),
    NAMESPACED("namespaced", "scoped", "scoped-system", List.of("team-a", "team-b")),
    SELECTOR("selector", "labelled", "labelled-system", List.of());

    final String file;
    final String release;
    final String namespace;

    // Always a List.of(...): immutable.
    @SuppressWarnings("ImmutableEnumChecker")
    final List<String> watchedNamespaces;

    ChartCase(String file, String release, String namespace, List<String> watchedNamespaces) {
      this.file = file;
      this.release = release;
      this.namespace = namespace;
      this.watchedNamespaces = watchedNamespaces;
    }

    Path valuesFile() {
      return CASES.resolve("in").resolve(file + ".yaml");
    }

    String fullname() {
      return release.contains("fairlead") ? release : release + "-fairlead";
    }

    String serviceAccountUser() {
      return "system:serviceaccount:" + namespace + ":" + fullname();
    }
  }

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Set<ChartCase> INSTALLED = new HashSet<>();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @BeforeAll
  static void installCrdsTheChartDoesNotShip() throws IOException {
    API_SERVER.installGatewayApiCrds();
    Crds.apply(API_SERVER.client(), CASES.resolve("servicemonitor-crd.yaml"));
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ChartCase.class)
  void lintsCleanlyInStrictMode(ChartCase chart) {
    CommandResult lint =
        Helm.withoutCluster()
            .run("lint", "--strict", CHART.toString(), "-f", chart.valuesFile().toString());

    assertThat(lint.exitCode())
        .as("helm lint --strict:\n%s%s", lint.stdout(), lint.stderr())
        .isZero();
    assertThat(lint.stdout())
        .contains("0 chart(s) failed")
        .doesNotContain("[WARNING]")
        .doesNotContain("[ERROR]");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ChartCase.class)
  void rendersTheRecordedManifests(ChartCase chart) throws IOException {
    GoldenFiles.check(
        CASES.resolve("out").resolve(chart.file + ".yaml"),
        render(chart),
        "helm template with in/" + chart.file + ".yaml");
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(ChartCase.class)
  void installsIntoTheApiServerWhichAcceptsEveryRenderedObject(ChartCase chart) {
    install(chart);

    KubernetesClient client = API_SERVER.client();
    List<HasMetadata> rendered = objects(render(chart));
    assertThat(rendered)
        .extracting(HasMetadata::getKind)
        .contains(
            "ServiceAccount",
            "ClusterRole",
            "ClusterRoleBinding",
            "Role",
            "RoleBinding",
            "Service",
            "Deployment");
    for (HasMetadata object : rendered) {
      assertThat(client.resource(object).get())
          .as(
              "%s %s/%s in the API server",
              object.getKind(), object.getMetadata().getNamespace(), object.getMetadata().getName())
          .isNotNull();
    }
    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("upstreams.fairlead.dev")
                .get())
        .as("CRD from crds/")
        .isNotNull();
    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("allocations.fairlead.dev")
                .get())
        .as("CRD from crds/")
        .isNotNull();
    Deployment deployment =
        client.apps().deployments().inNamespace(chart.namespace).withName(chart.fullname()).get();
    assertThat(deployment.getSpec().getTemplate().getSpec().getServiceAccountName())
        .isEqualTo(chart.fullname());
    for (String suffix : List.of("-xds", "-allocator", "-admin")) {
      assertThat(
              client
                  .services()
                  .inNamespace(chart.namespace)
                  .withName(chart.fullname() + suffix)
                  .get())
          .as("Service %s%s", chart.fullname(), suffix)
          .isNotNull();
    }
    boolean pdb =
        client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(chart.namespace)
                .withName(chart.fullname())
                .get()
            != null;
    assertThat(pdb)
        .as("a PodDisruptionBudget exactly when there is more than one replica")
        .isEqualTo(deployment.getSpec().getReplicas() > 1);
    for (String watched : chart.watchedNamespaces) {
      assertThat(client.rbac().roles().inNamespace(watched).withName(chart.fullname()).get())
          .as("Role in watched namespace %s", watched)
          .isNotNull();
      assertThat(client.rbac().roleBindings().inNamespace(watched).withName(chart.fullname()).get())
          .as("RoleBinding in watched namespace %s", watched)
          .isNotNull();
    }
  }

  @Test
  void allocatorUnallocatedStatusCodeReachesTheContainer() {
    assertThat(env(render(ChartCase.DEFAULTS)))
        .containsEntry("FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE", "429");
    assertThat(env(render(ChartCase.NAMESPACED)))
        .containsEntry("FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE", "503");
    assertThat(
            env(
                template("--set", "allocator.http.unallocatedStatusCode=502")
                    .requireSuccess()
                    .stdout()))
        .containsEntry("FAIRLEAD_ALLOCATOR_UNALLOCATED_STATUS_CODE", "502");

    CommandResult refused = template("--set", "allocator.http.unallocatedStatusCode=404");
    assertThat(refused.exitCode())
        .as("a code the binary would refuse fails the render")
        .isNotZero();
    assertThat(refused.stderr())
        .contains("allocator.http.unallocatedStatusCode must be 429 or 500-599");
    CommandResult misspelled = template("--set", "allocator.http.unallocatedStatus=503");
    assertThat(misspelled.exitCode())
        .as("values.schema.json refuses a value the chart does not have")
        .isNotZero();
    assertThat(misspelled.stderr()).contains("unallocatedStatus");
  }

  @Test
  void allocatorMaxTtlReachesTheContainerAndOnlyWholeUnitsRender() {
    assertThat(env(render(ChartCase.DEFAULTS))).containsEntry("FAIRLEAD_ALLOCATOR_MAX_TTL", "24h");
    assertThat(env(render(ChartCase.NAMESPACED))).containsEntry("FAIRLEAD_ALLOCATOR_MAX_TTL", "2h");
    for (String bad : List.of("0h", "1.5h", "24", "1d", "forever")) {
      CommandResult refused = template("--set", "allocator.maxTtl=" + bad);
      assertThat(refused.exitCode())
          .as("%s: a value the binary would refuse fails the render", bad)
          .isNotZero();
      assertThat(refused.stderr()).as(bad).contains("maxTtl");
    }
  }

  @Test
  void everyFlagOfRunHasAnEnvironmentVariableInTheDeployment() {
    Map<String, String> env = env(render(ChartCase.DEFAULTS));
    // Without interpolation, each default is as written: ${env:FAIRLEAD_…:-…}.
    CommandLine.Model.CommandSpec run =
        new CommandLine(new Fairlead())
            .setInterpolateVariables(false)
            .getSubcommands()
            .get("run")
            .getCommandSpec();
    List<String> flags = new ArrayList<>();
    for (OptionSpec option : run.options()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      Matcher variable = ENV_DEFAULT.matcher(String.valueOf(option.defaultValue()));
      assertThat(variable.find())
          .as("%s takes its default from a FAIRLEAD_* environment variable", option.longestName())
          .isTrue();
      flags.add(option.longestName());
      if (!NOT_FOR_A_POD.contains(variable.group(1))) {
        assertThat(env)
            .as(
                "the chart's Deployment sets %s (flag %s): add a value for it to charts/fairlead",
                variable.group(1), option.longestName())
            .containsKey(variable.group(1));
      }
    }
    assertThat(flags)
        .as("flags of fairlead run")
        .contains("--watch-namespaces", "--allocator-unallocated-status-code");
  }

  /**
   * The binary accepts the environment the chart renders: the default values' variables, with the
   * pod's field references filled in as the kubelet would, bind addresses moved to 127.0.0.1 and
   * ports to free ones (the only changes), start Fairlead against the API server until its admin
   * server answers ready.
   */
  @Test
  void theBinaryStartsWithTheEnvironmentTheChartRenders() throws Exception {
    install(ChartCase.DEFAULTS);
    Map<String, String> env = new LinkedHashMap<>(env(render(ChartCase.DEFAULTS)));
    assertThat(env)
        .as("xDS is protected by Fairlead's own CA by default")
        .containsEntry("FAIRLEAD_XDS_PLAINTEXT", "false")
        .containsEntry("FAIRLEAD_XDS_TLS_CERT", "")
        .containsEntry("FAIRLEAD_XDS_CA_SECRET", "fairlead-xds-ca");
    assertThat(env)
        .as("the allocation API is TLS of that CA with a generated token by default")
        .containsEntry("FAIRLEAD_ALLOCATOR_PLAINTEXT", "false")
        .containsEntry("FAIRLEAD_ALLOCATOR_CREDENTIALS_SECRET", "fairlead-allocator-credentials");
    env.replaceAll((name, value) -> name.endsWith("_ADDRESS") ? "127.0.0.1" : value);
    for (String port :
        List.of(
            "FAIRLEAD_XDS_PORT",
            "FAIRLEAD_ALLOCATOR_GRPC_PORT",
            "FAIRLEAD_ALLOCATOR_HTTP_PORT",
            "FAIRLEAD_ADMIN_PORT")) {
      env.put(port, Integer.toString(LoopbackPorts.free()));
    }
    env.put("FAIRLEAD_LEADER_ELECTION_NAMESPACE", "default");
    env.put("FAIRLEAD_LEADER_ELECTION_IDENTITY", "chart-pod-0");
    env.put("FAIRLEAD_KUBECONFIG", API_SERVER.kubeconfig().toString());
    assertThat(env.values()).as("every variable has a value").doesNotContainNull();

    try (FairleadProcess fairlead = FairleadProcess.start("chart-env", List.of(), env)) {
      URI readyz = URI.create("http://127.0.0.1:" + env.get("FAIRLEAD_ADMIN_PORT") + "/readyz");
      await("Fairlead started from the chart's environment is ready")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(200))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(fairlead.isAlive()).as(fairlead.log()).isTrue();
                return HTTP.send(
                            HttpRequest.newBuilder(readyz).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .statusCode()
                    == 200;
              });
      assertThat(fairlead.log()).contains("Standing for leader as chart-pod-0");
    }
  }

  @Test
  void watchNamespacesAndASelectorTogetherFailTheRender() {
    CommandResult both =
        template("--set", "watchNamespaces={a}", "--set", "watchNamespaceSelector.team=games");

    assertThat(both.exitCode()).isNotZero();
    assertThat(both.stderr())
        .contains("watchNamespaces and watchNamespaceSelector exclude each other");
  }

  @Test
  void appVersionIsTheProjectVersion() throws IOException {
    String version = System.getProperty("fairlead.version");
    assertThat(version).as("system property fairlead.version (set by the e2e pom)").isNotBlank();

    assertThat(Files.readAllLines(CHART.resolve("Chart.yaml")))
        .contains("appVersion: \"" + version + "\"", "version: " + version);
  }

  /**
   * Fairlead in Kubernetes mode, its client impersonating the service account of the {@code
   * namespaced} install: with only the Roles in team-a and team-b and the ClusterRole's allocation
   * rule, it syncs its informers, discovers a Service into an Upstream (server-side apply), writes
   * status to the Upstream, the GatewayClass, the Gateway and the HTTPRoute, allocates an endpoint,
   * and releases it (delete, and an Event saying so).
   */
  @Test
  void fairleadRunningAsTheServiceAccountOfANamespacedInstallDoesItsWork() throws Exception {
    ChartCase chart = ChartCase.NAMESPACED;
    install(chart);
    KubernetesClient admin = API_SERVER.client();
    try (InputStream workload = Files.newInputStream(CASES.resolve("rbac-workload.yaml"))) {
      for (HasMetadata object : admin.load(workload).items()) {
        admin.resource(object).forceConflicts().serverSideApply();
      }
    }
    Config config = Config.fromKubeconfig(Files.readString(API_SERVER.kubeconfig()));
    config.setImpersonateUsername(chart.serviceAccountUser());
    config.setImpersonateGroups(
        "system:serviceaccounts",
        "system:serviceaccounts:" + chart.namespace,
        "system:authenticated");
    KubernetesOptions options =
        new KubernetesOptions(
                "127.0.0.1",
                0,
                ServerTransport.plaintext(),
                "127.0.0.1",
                Set.copyOf(chart.watchedNamespaces),
                Map.of(),
                Map.of("fairlead.dev/expose", "true"),
                true,
                new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)),
                new AllocatorOptions(
                    "127.0.0.1",
                    0,
                    0,
                    UnallocatedStatus.parse("503"),
                    AllocatorOptions.DEFAULT_MAX_TTL,
                    AllocatorSecurity.plaintext()))
            .withLeaderElection(
                new LeaderElectionOptions(
                    chart.namespace, "fairlead", "rbac-check", Duration.ofSeconds(15)));
    try (KubernetesClient asServiceAccount =
            new KubernetesClientBuilder().withConfig(config).build();
        KubernetesFairlead fairlead =
            KubernetesFairlead.start(options, asServiceAccount, new SimpleMeterRegistry())) {
      await("informers sync with the chart's RBAC").atMost(BOUND).until(fairlead::hasSynced);

      await("discovery applies the Upstream and the reporter writes its status")
          .atMost(BOUND)
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(
                          admin
                              .resources(Upstream.class)
                              .inNamespace("team-a")
                              .withName("game-http")
                              .get()
                              .getStatus()
                              .conditions())
                      .extracting("type")
                      .contains("Accepted"));
      await("the reporter writes GatewayClass, Gateway and HTTPRoute status")
          .atMost(BOUND)
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                assertThat(
                        admin
                            .resources(GatewayClass.class)
                            .withName("fairlead")
                            .get()
                            .getStatus()
                            .getConditions())
                    .as("Accepted, and SupportedVersion read from the CRDs with the chart's RBAC")
                    .extracting(c -> c.getType() + "=" + c.getStatus())
                    .containsExactly("Accepted=True", "SupportedVersion=True");
                assertThat(
                        admin
                            .resources(Gateway.class)
                            .inNamespace("team-a")
                            .withName("edge")
                            .get()
                            .getStatus()
                            .getConditions())
                    .extracting("type")
                    .contains("Accepted");
                assertThat(
                        admin
                            .resources(HTTPRoute.class)
                            .inNamespace("team-a")
                            .withName("game")
                            .get()
                            .getStatus()
                            .getParents())
                    .isNotEmpty();
              });

      assertThat(
              admin
                  .leases()
                  .inNamespace(chart.namespace)
                  .withName("fairlead")
                  .get()
                  .getSpec()
                  .getHolderIdentity())
          .as("the writes ran under a Lease taken with the chart's RBAC")
          .isEqualTo("rbac-check");

      admin
          .resources(Upstream.class)
          .inNamespace("team-a")
          .withName("game-http")
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\": {\"allocation\": {\"enabled\": true}}}");
      String allocations =
          "http://127.0.0.1:" + fairlead.allocationHttpPort() + "/v1/namespaces/team-a/allocations";
      HttpResponse<String> allocated =
          await("the allocator knows the Upstream in allocation mode")
              .atMost(BOUND)
              .until(
                  () -> post(allocations, "{\"upstream\": \"game-http\", \"ttl\": \"600s\"}"),
                  response -> response.statusCode() != 404 && response.statusCode() != 400);
      assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(201);
      String name = new ObjectMapper().readTree(allocated.body()).path("name").asText();
      HttpResponse<String> released =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(allocations + "/" + name)).DELETE().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(released.statusCode()).as(released.body()).isEqualTo(200);
      await("the release is recorded as an Event")
          .atMost(BOUND)
          .untilAsserted(
              () ->
                  assertThat(admin.v1().events().inNamespace("team-a").list().getItems())
                      .anyMatch(
                          e ->
                              name.equals(e.getInvolvedObject().getName())
                                  && "Released".equals(e.getReason())));
    }
  }

  private static HttpResponse<String> post(String url, String json)
      throws IOException, InterruptedException {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(url))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Installs a case once per class run; the namespaces it watches are created first (its Roles live
   * there).
   */
  private static synchronized void install(ChartCase chart) {
    if (INSTALLED.contains(chart)) {
      return;
    }
    for (String watched : chart.watchedNamespaces) {
      API_SERVER.createNamespace(watched);
    }
    API_SERVER
        .helm()
        .run(
            "install",
            chart.release,
            CHART.toString(),
            "--namespace",
            chart.namespace,
            "--create-namespace",
            "-f",
            chart.valuesFile().toString())
        .requireSuccess();
    INSTALLED.add(chart);
  }

  private static String render(ChartCase chart) {
    return Helm.withoutCluster()
        .run(
            "template",
            chart.release,
            CHART.toString(),
            "--namespace",
            chart.namespace,
            "-f",
            chart.valuesFile().toString())
        .requireSuccess()
        .stdout();
  }

  private static CommandResult template(String... setArgs) {
    List<String> args =
        new ArrayList<>(
            List.of("template", "fairlead", CHART.toString(), "--namespace", "fairlead-system"));
    args.addAll(List.of(setArgs));
    return Helm.withoutCluster().run(args.toArray(String[]::new));
  }

  private static List<HasMetadata> objects(String manifests) {
    return API_SERVER
        .client()
        .load(new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8)))
        .items();
  }

  /** The environment of the fairlead container of the one Deployment in {@code manifests}. */
  private static Map<String, String> env(String manifests) {
    Deployment deployment =
        objects(manifests).stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .findFirst()
            .orElseThrow();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar variable :
        deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      env.put(variable.getName(), variable.getValue());
    }
    return env;
  }
}
