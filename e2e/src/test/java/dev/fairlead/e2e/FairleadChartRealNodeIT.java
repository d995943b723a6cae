package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.provisioner.CaSecret;
import dev.fairlead.provisioner.ProxyCertificateAuthority;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.RealCluster;
import dev.fairlead.testkit.Tools;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayStatusAddress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fairlead installed the way users install it: the chart, {@code helm install}ed into a real node's
 * cluster, running the image the build wrote (module {@code image/}) as pods, discovering a Service
 * of real backend pods and serving an Envoy pod that routes traffic to them — one the test runs,
 * and one Fairlead runs for the Gateway (a managed fleet: the chart's provisioner, with the node's
 * Envoy image), reached at the address in the Gateway's status — through a leader change, an
 * upgrade and an uninstall. xDS is the chart's default, mutual TLS of Fairlead's own CA: both
 * Envoys present the client certificate the provisioner issued the Gateway, and an Envoy with
 * another Gateway's certificate asking for this one is refused.
 *
 * <p>The tests run in order, each on what the previous ones left: one install, one life cycle.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FairleadChartRealNodeIT {

  @RegisterExtension static final RealCluster CLUSTER = new RealCluster();

  private static final String RELEASE = "fairlead";
  private static final String SYSTEM = "fairlead-system";
  private static final String APPS = "shop";
  private static final Map<String, String> FAIRLEAD_PODS =
      new FairleadRelease(CLUSTER, RELEASE, SYSTEM).podLabels();
  private static final Map<String, String> SHOP_PODS = Map.of("app", "shop");
  private static final Map<String, String> ENVOY_PODS = Map.of("app", "envoy");

  /** Pods start JVMs on a busy 2-core machine. */
  private static final Duration POD_BOUND = Duration.ofMinutes(4);

  private static final Duration BOUND = Duration.ofMinutes(2);
  private static final int ENVOY_LISTENER_PORT = 8080;

  /** Where the test's Envoy pods mount their xDS client certificate. */
  private static final String CLIENT_TLS = "/etc/fairlead/xds-client";

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private static String envoyAddress;
  private static FairleadRelease release;

  @BeforeAll
  static void importImagesAndInstallTheChart() {
    release =
        FairleadRelease.install(
            CLUSTER,
            RELEASE,
            SYSTEM,
            "--set",
            "provisioner.proxyImage=fairlead.dev/envoy:" + Tools.get().envoyVersion());
    CLUSTER.importTestImage("backend");
  }

  /**
   * The node outlives this suite: its pods stop here, so they load nothing while later suites run.
   */
  @AfterAll
  static void deleteTheApplicationNamespace() {
    if (RealCluster.unavailableReason().isEmpty()) {
      client().namespaces().withName(APPS).delete();
    }
  }

  @Test
  @Order(1)
  void theChartRunsTwoReadyReplicasOfTheBuiltImageAndOneHoldsTheLease() {
    List<Pod> pods = CLUSTER.awaitReadyPods(SYSTEM, FAIRLEAD_PODS, 2, POD_BOUND);

    assertThat(pods)
        .allSatisfy(
            pod ->
                assertThat(pod.getSpec().getContainers().get(0).getImage())
                    .isEqualTo("fairlead.dev/fairlead:" + System.getProperty("fairlead.version")));
    await("a replica holds the Lease")
        .atMost(BOUND)
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(leaseHolder()).isIn(names(pods)));
  }

  @Test
  @Order(2)
  void aServiceOfBackendPodsIsDiscoveredAndItsUpstreamAcceptedWithThePodsEndpoints() {
    CLUSTER.createNamespace(APPS);
    apply(backendDeployment(2));
    apply(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: shop, namespace: shop}
        spec:
          selector: {app: shop}
          ports: [{name: http, port: 80, targetPort: 8080}]
        """);
    CLUSTER.awaitReadyPods(APPS, SHOP_PODS, 2, POD_BOUND);

    awaitUpstreamAccepted(2);
  }

  @Test
  @Order(3)
  void anEnvoyPodBootstrappedToTheFairleadServiceRoutesTrafficToThePods() {
    // Fairlead serves only Gateways of its own classes.
    apply(E2eObjects.GATEWAY_CLASS);
    // The node has no load-balancer controller: the managed fleet's Service is a ClusterIP one.
    apply(
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: GatewayParameters
        metadata: {name: cluster-ip, namespace: shop}
        spec:
          service: {type: ClusterIP}
        """);
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: shop}
        spec:
          gatewayClassName: fairlead
          infrastructure:
            parametersRef: {group: fairlead.dev, kind: GatewayParameters, name: cluster-ip}
          listeners: [{name: http, port: %d, protocol: HTTP}]
        """
            .formatted(ENVOY_LISTENER_PORT));
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: shop, namespace: shop}
        spec:
          parentRefs: [{name: edge}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: shop-http}]
        """);
    // xDS is mutual TLS of Fairlead's CA (the chart's default): this Envoy presents the client
    // certificate the
    // provisioner issued Gateway shop/edge's managed fleet, from its Secret.
    client()
        .resource(envoyBootstrap("envoy-bootstrap", APPS + "/edge"))
        .forceConflicts()
        .serverSideApply();
    apply(envoyDeployment("envoy", "envoy-bootstrap", "fairlead-edge"));
    Pod envoy = CLUSTER.awaitReadyPods(APPS, ENVOY_PODS, 1, POD_BOUND).get(0);
    envoyAddress = envoy.getStatus().getPodIP();

    Set<String> backends = names(CLUSTER.awaitReadyPods(APPS, SHOP_PODS, 2, BOUND));
    Set<String> answered = ConcurrentHashMap.newKeySet();
    await("Envoy routes to both backend pods")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              answered.add(throughEnvoy());
              assertThat(answered).containsExactlyInAnyOrderElementsOf(backends);
            });
  }

  @Test
  @Order(4)
  void theManagedEnvoyPodBecomesReadyAndServesTheGatewayAtTheAddressInItsStatus() {
    Map<String, String> managedPods = Map.of("fairlead.dev/proxy", "fairlead-edge");
    CLUSTER.awaitReadyPods(APPS, managedPods, 1, POD_BOUND);
    Service service = client().services().inNamespace(APPS).withName("fairlead-edge").get();
    assertThat(service.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> assertThat(owner.getName()).isEqualTo("edge"));

    try {
      await("Gateway shop/edge Programmed with its Service's cluster IP as its address")
          .atMost(BOUND)
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                Gateway gateway =
                    client().resources(Gateway.class).inNamespace(APPS).withName("edge").get();
                assertThat(gateway.getStatus().getAddresses())
                    .extracting(GatewayStatusAddress::getValue)
                    .containsExactly(service.getSpec().getClusterIP());
                assertThat(gateway.getStatus().getConditions())
                    .anySatisfy(
                        c ->
                            assertThat(c.getType() + "=" + c.getStatus())
                                .isEqualTo("Programmed=True"));
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "Gateway shop/edge:\n"
              + client()
                  .getKubernetesSerialization()
                  .asYaml(
                      client().resources(Gateway.class).inNamespace(APPS).withName("edge").get())
              + CLUSTER.explain(APPS, managedPods)
              + fairleadLogs(),
          e);
    }
    Set<String> backends = names(CLUSTER.awaitReadyPods(APPS, SHOP_PODS, 2, BOUND));
    Set<String> answered = ConcurrentHashMap.newKeySet();
    await("the managed Envoy, at the Gateway's address, routes to both backend pods")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              answered.add(through(service.getSpec().getClusterIP()));
              assertThat(answered).containsExactlyInAnyOrderElementsOf(backends);
            });
  }

  @Test
  @Order(5)
  void anEnvoyWithAnotherGatewaysIdentityAskingForThisOneIsRefused() {
    // A certificate of Fairlead's own CA (read from its Secret, as only an admin can) for Gateway
    // shop/other.
    Secret caSecret = client().secrets().inNamespace(SYSTEM).withName(RELEASE + "-xds-ca").get();
    ProxyCertificateAuthority ca =
        ProxyCertificateAuthority.of(
            decoded(caSecret, CaSecret.CERTIFICATE_KEY), decoded(caSecret, CaSecret.KEY_KEY));
    ProxyCertificateAuthority.Issued other =
        ca.issueClient(new ProxyIdentity(APPS, "other"), Instant.now());
    client()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("impostor-cert")
                .withNamespace(APPS)
                .endMetadata()
                .withStringData(
                    Map.of(
                        "tls.crt",
                        other.certificatePem(),
                        "tls.key",
                        other.keyPem(),
                        "ca.crt",
                        ca.ca().certificatePem()))
                .build())
        .forceConflicts()
        .serverSideApply();
    client()
        .resource(envoyBootstrap("impostor-bootstrap", APPS + "/edge"))
        .forceConflicts()
        .serverSideApply();

    apply(envoyDeployment("impostor", "impostor-bootstrap", "impostor-cert"));

    String refusal =
        "asking for node.cluster '"
            + APPS
            + "/edge' refused: PERMISSION_DENIED the client certificate's "
            + "proxy identity allows node.cluster "
            + APPS
            + "/other only";
    await("a replica refuses the impostor's stream, saying why")
        .atMost(POD_BOUND)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> release.logs(-1).contains(refusal));
    assertThat(client().pods().inNamespace(APPS).withLabel("app", "impostor").list().getItems())
        .as("the impostor Envoy holds no configuration, so it is not ready")
        .allSatisfy(
            pod ->
                assertThat(pod.getStatus().getConditions())
                    .noneSatisfy(
                        c ->
                            assertThat(c.getType() + "=" + c.getStatus()).isEqualTo("Ready=True")));
    client().apps().deployments().inNamespace(APPS).withName("impostor").delete();
  }

  private static String decoded(Secret secret, String key) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.US_ASCII);
  }

  @Test
  @Order(6)
  void deletingTheLeaderPodHandsTheLeaseOverWhileTrafficKeepsFlowing() throws Exception {
    assumeTrue(envoyAddress != null, "the Envoy pod did not start (see the test before)");
    String leader = leaseHolder();
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger served = new AtomicInteger();
    List<String> failures = new CopyOnWriteArrayList<>();
    Thread traffic =
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  throughEnvoy();
                  served.incrementAndGet();
                } catch (Exception | AssertionError e) {
                  failures.add(e.toString());
                }
              }
            },
            "traffic-through-envoy");
    traffic.start();
    try {
      client().pods().inNamespace(SYSTEM).withName(leader).delete();
      try {
        await("another replica takes the Lease from " + leader)
            .atMost(BOUND)
            .ignoreExceptions()
            .untilAsserted(() -> assertThat(leaseHolder()).isNotEqualTo(leader));
      } catch (ConditionTimeoutException e) {
        throw new AssertionError(
            "The Lease stayed with "
                + leader
                + ":\n"
                + client()
                    .getKubernetesSerialization()
                    .asYaml(client().leases().inNamespace(SYSTEM).withName(RELEASE).get())
                + fairleadLogs(),
            e);
      }
      CLUSTER.awaitReadyPods(SYSTEM, FAIRLEAD_PODS, 2, POD_BOUND);
      // The new leader writes: a third backend pod shows in the Upstream's status.
      apply(backendDeployment(3));
      CLUSTER.awaitReadyPods(APPS, SHOP_PODS, 3, POD_BOUND);
      awaitUpstreamAccepted(3);
    } finally {
      running.set(false);
      traffic.join();
    }
    assertThat(failures)
        .as("requests through Envoy during the handover (%d served)", served.get())
        .isEmpty();
    assertThat(served.get()).isPositive();
  }

  @Test
  @Order(7)
  void helmUpgradeWithAChangedValueRollsThePods() throws Exception {
    Set<String> before = names(CLUSTER.awaitReadyPods(SYSTEM, FAIRLEAD_PODS, 2, POD_BOUND));

    CLUSTER
        .helm()
        .run(
            "upgrade",
            RELEASE,
            HelmChartRealApiServerIT.CHART.toString(),
            "--namespace",
            SYSTEM,
            "--reuse-values",
            "--set",
            "logFormat=json")
        .requireSuccess();

    try {
      await("the Deployment rolls to pods with the new value")
          .atMost(POD_BOUND)
          .pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions()
          .until(
              () -> {
                Deployment deployment =
                    client().apps().deployments().inNamespace(SYSTEM).withName(RELEASE).get();
                var status = deployment.getStatus();
                return status.getObservedGeneration() >= deployment.getMetadata().getGeneration()
                    && Integer.valueOf(2).equals(status.getUpdatedReplicas())
                    && Integer.valueOf(2).equals(status.getReadyReplicas())
                    && Integer.valueOf(2).equals(status.getReplicas());
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "helm upgrade did not roll out:\n" + CLUSTER.explain(SYSTEM, FAIRLEAD_PODS), e);
    }
    List<Pod> after = CLUSTER.awaitReadyPods(SYSTEM, FAIRLEAD_PODS, 2, BOUND);
    assertThat(names(after)).doesNotContainAnyElementsOf(before);
    assertThat(after)
        .allSatisfy(
            pod ->
                assertThat(pod.getSpec().getContainers().get(0).getEnv())
                    .contains(new EnvVar("FAIRLEAD_LOG_FORMAT", "json", null)));
    assertThat(throughEnvoy()).isNotBlank();
  }

  @Test
  @Order(8)
  void helmUninstallLeavesOnlyTheCrds() {
    CLUSTER.helm().run("uninstall", RELEASE, "--namespace", SYSTEM, "--wait").requireSuccess();

    Map<String, String> release =
        Map.of("app.kubernetes.io/instance", RELEASE, "app.kubernetes.io/managed-by", "Helm");
    await("the release's pods are gone")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(
                        client()
                            .pods()
                            .inNamespace(SYSTEM)
                            .withLabels(FAIRLEAD_PODS)
                            .list()
                            .getItems())
                    .isEmpty());
    KubernetesClient client = client();
    assertThat(
            client.apps().deployments().inNamespace(SYSTEM).withLabels(release).list().getItems())
        .isEmpty();
    assertThat(client.services().inNamespace(SYSTEM).withLabels(release).list().getItems())
        .isEmpty();
    assertThat(client.serviceAccounts().inNamespace(SYSTEM).withLabels(release).list().getItems())
        .isEmpty();
    assertThat(
            client
                .policy()
                .v1()
                .podDisruptionBudget()
                .inNamespace(SYSTEM)
                .withLabels(release)
                .list()
                .getItems())
        .isEmpty();
    assertThat(client.rbac().roles().inAnyNamespace().withLabels(release).list().getItems())
        .isEmpty();
    assertThat(client.rbac().roleBindings().inAnyNamespace().withLabels(release).list().getItems())
        .isEmpty();
    assertThat(client.rbac().clusterRoles().withLabels(release).list().getItems()).isEmpty();
    assertThat(client.rbac().clusterRoleBindings().withLabels(release).list().getItems()).isEmpty();
    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("upstreams.fairlead.dev")
                .get())
        .as("helm keeps the CRDs of crds/")
        .isNotNull();
    assertThat(
            client
                .apiextensions()
                .v1()
                .customResourceDefinitions()
                .withName("allocations.fairlead.dev")
                .get())
        .isNotNull();
  }

  private static void awaitUpstreamAccepted(int endpoints) {
    try {
      await("Upstream shop/shop-http Accepted with %d ready endpoints".formatted(endpoints))
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                Upstream upstream =
                    client()
                        .resources(Upstream.class)
                        .inNamespace(APPS)
                        .withName("shop-http")
                        .get();
                assertThat(upstream.getStatus().conditions()).anySatisfy(c -> accepted(c));
                assertThat(upstream.getStatus().readyEndpoints()).isEqualTo(endpoints);
              });
    } catch (ConditionTimeoutException e) {
      Upstream upstream =
          client().resources(Upstream.class).inNamespace(APPS).withName("shop-http").get();
      throw new AssertionError(
          "Upstream shop/shop-http: "
              + (upstream == null
                  ? "not created"
                  : client().getKubernetesSerialization().asYaml(upstream))
              + "\nFairlead pods:\n"
              + CLUSTER.explain(SYSTEM, FAIRLEAD_PODS)
              + fairleadLogs(),
          e);
    }
  }

  private static String fairleadLogs() {
    return release.logs(60);
  }

  private static void accepted(Condition condition) {
    assertThat(condition.getType()).isEqualTo("Accepted");
    assertThat(condition.getStatus()).isEqualTo("True");
  }

  /** The backend pod's name that answered one request through the Envoy pod. */
  private static String throughEnvoy() throws IOException, InterruptedException {
    return through(envoyAddress);
  }

  /**
   * The backend pod's name that answered one request to the Gateway's listener at {@code address}.
   */
  private static String through(String address) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + address + ":" + ENVOY_LISTENER_PORT + "/cgi-bin/pod"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("answer through Envoy: %s", response.body())
        .isEqualTo(200);
    return response.body().strip();
  }

  private static String leaseHolder() {
    return client()
        .leases()
        .inNamespace(SYSTEM)
        .withName(RELEASE)
        .get()
        .getSpec()
        .getHolderIdentity();
  }

  private static Set<String> names(List<Pod> pods) {
    Set<String> names = new HashSet<>();
    pods.forEach(pod -> names.add(pod.getMetadata().getName()));
    return names;
  }

  private static KubernetesClient client() {
    return CLUSTER.client();
  }

  private static void apply(String yaml) {
    client().resource(yaml).forceConflicts().serverSideApply();
  }

  private static String backendDeployment(int replicas) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: shop, namespace: shop}
        spec:
          replicas: %d
          selector: {matchLabels: {app: shop}}
          template:
            metadata: {labels: {app: shop}}
            spec:
              containers:
              - name: backend
                image: fairlead.dev/backend:busybox
                imagePullPolicy: IfNotPresent
                ports: [{containerPort: 8080}]
                readinessProbe:
                  httpGet: {path: /index.html, port: 8080}
                  periodSeconds: 1
                securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false}
        """
        .formatted(replicas);
  }

  /**
   * Envoy's bootstrap: its fleet is {@code fleet}, its control plane the chart's xDS Service, by
   * the DNS name the server's certificate carries, over mutual TLS with the client certificate
   * mounted at {@value #CLIENT_TLS}.
   */
  private static ConfigMap envoyBootstrap(String name, String fleet) {
    String bootstrap =
        EnvoyBootstrap.ads(18000, AdsMode.DELTA)
            .withNode(name, fleet)
            .withXdsTls(
                Path.of(CLIENT_TLS, "ca.crt"),
                Path.of(CLIENT_TLS, "tls.crt"),
                Path.of(CLIENT_TLS, "tls.key"))
            .toPodYaml(RELEASE + "-xds." + SYSTEM + ".svc", 9901);
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(APPS)
        .endMetadata()
        .withData(Map.of("bootstrap.yaml", bootstrap))
        .build();
  }

  /**
   * An Envoy Deployment labelled app={@code app}, from ConfigMap {@code bootstrap} and client
   * certificate Secret.
   */
  private static String envoyDeployment(String app, String bootstrap, String certificateSecret) {
    return """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: %s, namespace: shop}
        spec:
          replicas: 1
          selector: {matchLabels: {app: %s}}
          template:
            metadata: {labels: {app: %s}}
            spec:
              containers:
              - name: envoy
                image: fairlead.dev/envoy:%s
                imagePullPolicy: IfNotPresent
                args: [-c, /etc/envoy/bootstrap.yaml, --disable-hot-restart, --log-level, info]
                ports: [{containerPort: %d}, {containerPort: 9901}]
                readinessProbe:
                  httpGet: {path: /ready, port: 9901}
                  periodSeconds: 1
                securityContext: {readOnlyRootFilesystem: true, runAsNonRoot: true, allowPrivilegeEscalation: false}
                volumeMounts:
                - {name: bootstrap, mountPath: /etc/envoy, readOnly: true}
                - {name: xds-client, mountPath: %s, readOnly: true}
              volumes:
              - name: bootstrap
                configMap: {name: %s}
              - name: xds-client
                secret: {secretName: %s, defaultMode: 292}  # 0444
        """
        .formatted(
            app,
            app,
            app,
            Tools.get().envoyVersion(),
            ENVOY_LISTENER_PORT,
            CLIENT_TLS,
            bootstrap,
            certificateSecret);
  }
}
