package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The Service → Upstream reconciler against a real kube-apiserver: which Services are discovered,
 * what the Upstreams look like, that people's fields survive and discovery's come back, and what is
 * never touched. There is no kube-controller-manager, hence no garbage collector: every delete seen
 * here is discovery's own.
 */
class UpstreamReconcilerRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final Map<String, String> WATCH = Map.of("fairlead.dev/expose", "true");
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private KubernetesClient user;
  private KubernetesClient discoveryClient;
  private SimpleMeterRegistry registry;
  private UpstreamReconciler reconciler;
  private String ns;

  @BeforeAll
  static void installCrds() throws IOException {
    try (InputStream crd =
        UpstreamReconcilerRealApiServerIT.class.getResourceAsStream(
            "/META-INF/fabric8/upstreams.fairlead.dev-v1.yml")) {
      Crds.apply(API_SERVER.client(), crd);
    }
  }

  @BeforeEach
  void namespaceAndClients() {
    user = API_SERVER.client();
    discoveryClient = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    ns = API_SERVER.createNamespace("discovery-" + NAMESPACES.incrementAndGet());
  }

  @AfterEach
  void stopDiscovery() {
    if (reconciler != null) {
      reconciler.close();
    }
    discoveryClient.close();
  }

  @Test
  void watchLabelsAndTheAnnotationDecideWhichServicesAreDiscovered() {
    startDiscovery(DiscoveryScope.inNamespaces(Set.of(ns)).withServiceSelector(WATCH));
    create(service("plain", Map.of(), port(null, 8080, null)));
    Service watched =
        create(
            service(
                "watched",
                WATCH,
                port("http", 80, "kubernetes.io/h2c"),
                port("grpc", 9090, "grpc"),
                port("metrics", 9100, null)));

    awaitUpstreams("watched", "watched-grpc", "watched-http", "watched-metrics");
    awaitIdle();
    assertThat(upstreamsOf("plain")).isEmpty();

    Upstream http = upstream("watched-http");
    assertThat(http.getMetadata().getLabels())
        .containsEntry("fairlead.dev/discovered-by", "discovery")
        .containsEntry("fairlead.dev/service", "watched");
    assertThat(http.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> isOwnerReferenceTo(owner, watched));
    assertThat(http.getSpec().kube()).isEqualTo(new KubeService("watched", null, 80));
    assertThat(http.getSpec().protocol()).isEqualTo(Protocol.HTTP2);
    assertThat(upstream("watched-grpc").getSpec())
        .isEqualTo(spec(new KubeService("watched", null, 9090), Protocol.GRPC));
    assertThat(upstream("watched-metrics").getSpec())
        .isEqualTo(spec(new KubeService("watched", null, 9100), null));

    // Adding the watch labels discovers a Service; removing them deletes its Upstreams.
    editService("plain", s -> s.getMetadata().setLabels(WATCH));
    awaitUpstreams("plain", "plain-8080");
    editService("plain", s -> s.getMetadata().setLabels(Map.of("fairlead.dev/expose", "no")));
    awaitUpstreams("plain");

    // The annotation opts in without the labels, and opts out despite them.
    editService(
        "plain",
        s -> s.getMetadata().setAnnotations(Map.of(DiscoveryScope.DISCOVER_ANNOTATION, "true")));
    awaitUpstreams("plain", "plain-8080");
    editService(
        "watched",
        s -> s.getMetadata().setAnnotations(Map.of(DiscoveryScope.DISCOVER_ANNOTATION, "false")));
    awaitUpstreams("watched");
    assertThat(upstreamsOf("plain")).hasSize(1);
  }

  @Test
  void peoplesFieldsSurviveWhileDiscoverysFieldsFollowTheService() {
    startDiscovery(DiscoveryScope.inNamespaces(Set.of(ns)).withServiceSelector(WATCH));
    create(service("api", WATCH, port("http", 8080, "http")));
    awaitUpstreams("api", "api-http");

    // What `kubectl edit` or `kubectl patch` does: an update by another field manager.
    API_SERVER
        .kubectl()
        .run(
            "-n",
            ns,
            "patch",
            "upstream",
            "api-http",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"loadBalancer\":{\"policy\":\"LEAST_REQUEST\"},\"circuitBreakers\":{\"maxConnections\":100}}}")
        .requireSuccess();

    editService("api", s -> s.getSpec().setPorts(List.of(port("http", 8081, "grpc"))));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              Upstream upstream = upstream("api-http");
              assertThat(upstream.getSpec().kube().port()).isEqualTo(8081);
              assertThat(upstream.getSpec().protocol()).isEqualTo(Protocol.GRPC);
            });
    assertPeoplesFieldsAreThere(upstream("api-http"));

    // appProtocol gone: discovery removes the protocol it set, and only that.
    editService("api", s -> s.getSpec().getPorts().get(0).setAppProtocol(null));
    await().atMost(WAIT).until(() -> upstream("api-http").getSpec().protocol() == null);
    assertPeoplesFieldsAreThere(upstream("api-http"));

    // A person's change to a field discovery owns is put back.
    user.resources(Upstream.class)
        .inNamespace(ns)
        .withName("api-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"kube\":{\"port\":9999}}}");
    await().atMost(WAIT).until(() -> upstream("api-http").getSpec().kube().port() == 8081);
    assertPeoplesFieldsAreThere(upstream("api-http"));

    // A protocol a person sets while the Service says nothing is theirs, and stays; it costs
    // discovery no write.
    awaitIdle();
    double writes = writes();
    double reconciled = reconciles();
    user.resources(Upstream.class)
        .inNamespace(ns)
        .withName("api-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"protocol\":\"HTTP2\"}}");
    await().atMost(WAIT).until(() -> reconciles() > reconciled);
    awaitIdle();
    assertThat(upstream("api-http").getSpec().protocol()).isEqualTo(Protocol.HTTP2);
    assertThat(writes()).isEqualTo(writes);

    double reconcilesBefore = reconciles();
    reconciler.resyncAll();
    await().atMost(WAIT).until(() -> reconciles() > reconcilesBefore);
    awaitIdle();
    assertThat(writes()).as("writes after a resync in steady state").isEqualTo(writes);
  }

  @Test
  void deletingAServiceDeletesItsUpstreamsAndRecreatingItRecreatesThem() {
    startDiscovery(DiscoveryScope.inNamespaces(Set.of(ns)));
    Service first =
        create(service("web", Map.of(), port("http", 80, null), port("admin", 81, null)));
    awaitUpstreams("web", "web-admin", "web-http");
    Map<String, String> firstUids = uidsOf("web");

    user.services().inNamespace(ns).withName("web").delete();
    awaitUpstreams("web");

    Service second =
        create(service("web", Map.of(), port("http", 80, null), port("admin", 81, null)));
    awaitUpstreams("web", "web-admin", "web-http");

    assertThat(second.getMetadata().getUid()).isNotEqualTo(first.getMetadata().getUid());
    Map<String, String> secondUids = uidsOf("web");
    assertThat(secondUids.get("web-http")).isNotEqualTo(firstUids.get("web-http"));
    assertThat(secondUids.get("web-admin")).isNotEqualTo(firstUids.get("web-admin"));
    assertThat(upstream("web-http").getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(owner -> isOwnerReferenceTo(owner, second));

    // An Upstream somebody deletes comes back, as a new object.
    String deletedUid = upstream("web-admin").getMetadata().getUid();
    user.resources(Upstream.class).inNamespace(ns).withName("web-admin").delete();
    await()
        .atMost(WAIT)
        .until(
            () ->
                upstreamOrNull("web-admin") != null
                    && !upstreamOrNull("web-admin").getMetadata().getUid().equals(deletedUid));

    // A port that goes takes its Upstream with it.
    editService("web", s -> s.getSpec().setPorts(List.of(port("http", 80, null))));
    awaitUpstreams("web", "web-http");
  }

  /**
   * A replica that loses the lease at once closes discovery before its informers have listed
   * anything: that is no error, so no ERROR line (the soak's monitor counts them).
   */
  @Test
  void aReconcilerClosedBeforeItsInformersSyncedLogsNoError() {
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(UpstreamReconciler.class);
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.DEBUG);
    try {
      reconciler =
          new UpstreamReconciler(
              discoveryClient,
              DiscoveryScope.inNamespaces(Set.of(ns)),
              ReconcilerSettings.DEFAULT,
              registry);
      reconciler.start();
      reconciler.close();

      await()
          .atMost(WAIT)
          .until(
              () ->
                  logs.lines().stream()
                      .anyMatch(
                          line ->
                              line.contains("Stopped before the informers synced")
                                  || line.contains("Discovery started")
                                  || line.contains("did not sync")));
      assertThat(logs.lines()).noneMatch(line -> line.startsWith("ERROR"));
    } finally {
      logger.setLevel(level);
    }
  }

  @Test
  void thePeriodicResyncReconcilesEverythingAndWritesNothing() {
    reconciler =
        new UpstreamReconciler(
            discoveryClient,
            DiscoveryScope.inNamespaces(Set.of(ns)),
            new ReconcilerSettings(CoalescingDelay.DEFAULT, 2, Duration.ofSeconds(1)),
            registry);
    reconciler.start();
    await().atMost(WAIT).until(reconciler::hasSynced);
    for (String name : List.of("a", "b", "c")) {
      create(service(name, Map.of(), port("http", 80, null), port("grpc", 90, "grpc")));
    }
    await().atMost(WAIT).until(() -> writes() == 6);
    awaitIdle();
    double reconciled = reconciles();

    // Each resync replays every Service and Upstream; three rounds at least reconcile each Service
    // thrice.
    await().atMost(WAIT).until(() -> reconciles() >= reconciled + 9);
    assertThat(writes()).isEqualTo(6);
  }

  @Test
  void anUpstreamWithoutTheDiscoveryLabelIsNeverTouched() {
    Upstream inTheWay =
        user.resource(upstreamByHand("web-http", new KubeService("legacy", null, 7000))).create();
    Upstream unrelated =
        user.resource(upstreamByHand("hand-made", new KubeService("web", null, 80))).create();
    startDiscovery(DiscoveryScope.inNamespaces(Set.of(ns)));

    create(service("web", Map.of(), port("http", 80, "grpc"), port("admin", 81, null)));
    awaitUpstreams("web", "web-admin");
    awaitIdle();
    assertUntouched(inTheWay);
    assertUntouched(unrelated);

    user.services().inNamespace(ns).withName("web").delete();
    awaitUpstreams("web");
    awaitIdle();
    assertUntouched(inTheWay);
    assertUntouched(unrelated);

    // Once the one in the way is gone, discovery takes the name.
    create(service("web", Map.of(), port("http", 80, "grpc")));
    awaitIdle();
    assertUntouched(inTheWay);
    user.resource(inTheWay).delete();
    awaitUpstreams("web", "web-http");
    assertThat(upstream("web-http").getSpec())
        .isEqualTo(spec(new KubeService("web", null, 80), Protocol.GRPC));
  }

  @Test
  void aLongServiceNameGetsAShortStableName() {
    startDiscovery(DiscoveryScope.inNamespaces(Set.of(ns)));
    String longName = "checkout-payments-authorization-gateway-service-eu-west-primary";
    assertThat(longName).hasSize(63);
    create(service(longName, Map.of(), port("metrics", 9100, null)));

    String expected = DesiredUpstreams.upstreamName(longName, "metrics");
    assertThat(expected)
        .hasSizeLessThanOrEqualTo(63)
        .matches(".*-[0-9a-f]{8}")
        .isEqualTo("checkout-payments-authorization-gateway-service-eu-wes-8b4ef13e");
    awaitUpstreams(longName, expected);
    assertThat(upstream(expected).getSpec().kube())
        .isEqualTo(new KubeService(longName, null, 9100));
  }

  @Test
  void aNamespaceSelectorFollowsNamespaceLabels() {
    String meshed = createNamespace("meshed-" + NAMESPACES.incrementAndGet(), Map.of("mesh", "on"));
    String plain = createNamespace("plain-" + NAMESPACES.incrementAndGet(), Map.of());
    create(meshed, service("web", Map.of(), port("http", 80, null)));
    create(plain, service("web", Map.of(), port("http", 80, null)));
    startDiscovery(DiscoveryScope.inNamespacesLabelled(Map.of("mesh", "on")));

    await().atMost(WAIT).until(() -> upstreamNames(meshed, "web").equals(Set.of("web-http")));
    awaitIdle();
    assertThat(upstreamNames(plain, "web")).isEmpty();

    user.namespaces()
        .withName(plain)
        .edit(
            n -> {
              n.getMetadata().setLabels(Map.of("mesh", "on"));
              return n;
            });
    user.namespaces()
        .withName(meshed)
        .edit(
            n -> {
              n.getMetadata().setLabels(Map.of("mesh", "off"));
              return n;
            });
    await()
        .atMost(WAIT)
        .until(
            () ->
                upstreamNames(plain, "web").equals(Set.of("web-http"))
                    && upstreamNames(meshed, "web").isEmpty());
  }

  @Test
  void systemServicesAreOnlyDiscoveredWhenAnnotated() {
    startDiscovery(DiscoveryScope.everything());
    create("kube-system", service("dns", Map.of(), port("dns-tcp", 53, null)));
    create(service("web", Map.of(), port("http", 80, null)));

    awaitUpstreams("web", "web-http");
    awaitIdle();
    assertThat(user.services().inNamespace("default").withName("kubernetes").get()).isNotNull();
    assertThat(user.resources(Upstream.class).inNamespace("default").list().getItems()).isEmpty();
    assertThat(user.resources(Upstream.class).inNamespace("kube-system").list().getItems())
        .isEmpty();

    user.services()
        .inNamespace("kube-system")
        .withName("dns")
        .edit(
            s -> {
              s.getMetadata().setAnnotations(Map.of(DiscoveryScope.DISCOVER_ANNOTATION, "true"));
              return s;
            });
    await()
        .atMost(WAIT)
        .until(() -> upstreamNames("kube-system", "dns").equals(Set.of("dns-dns-tcp")));
    user.services().inNamespace("kube-system").withName("dns").delete();
    await().atMost(WAIT).until(() -> upstreamNames("kube-system", "dns").isEmpty());
  }

  @Test
  void aConflictIsRetriedFromFreshState() {
    SimpleMeterRegistry writerMetrics = new SimpleMeterRegistry();
    UpstreamWriter writer =
        new UpstreamWriter(discoveryClient, writerMetrics, 5, Duration.ofMillis(10));
    Service web = create(service("web", Map.of(), port("http", 80, null)));
    DesiredUpstream desired = DesiredUpstreams.forService(web).get(0);
    NamespacedName key = NamespacedName.of(web);
    writer.write(
        new UpstreamDecision.Apply(desired, null, null, List.of("absent")),
        fresh ->
            UpstreamDecision.decide(key, desired, fresh, "gone", UpstreamReconciler.FIELD_MANAGER));
    Upstream seen = upstream("web-http");

    // Somebody changes it after discovery read it: discovery's apply, made on the version it saw,
    // conflicts.
    user.resources(Upstream.class)
        .inNamespace(ns)
        .withName("web-http")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"spec\":{\"kube\":{\"port\":9999}}}");
    DesiredUpstream moved =
        new DesiredUpstream(ns, "web-http", "web", web.getMetadata().getUid(), 80, Protocol.HTTP2);
    writer.write(
        new UpstreamDecision.Apply(
            moved,
            seen.getMetadata().getUid(),
            seen.getMetadata().getResourceVersion(),
            List.of("test")),
        fresh ->
            UpstreamDecision.decide(key, moved, fresh, "gone", UpstreamReconciler.FIELD_MANAGER));

    assertThat(writerMetrics.counter("fairlead.discovery.conflicts").count()).isEqualTo(1);
    assertThat(upstream("web-http").getSpec())
        .isEqualTo(spec(new KubeService("web", null, 80), Protocol.HTTP2));

    // A delete on a stale version conflicts too, and is made again on the fresh one.
    writer.write(
        new UpstreamDecision.Delete(
            ns,
            "web-http",
            seen.getMetadata().getUid(),
            seen.getMetadata().getResourceVersion(),
            "test"),
        fresh ->
            UpstreamDecision.decide(key, null, fresh, "gone", UpstreamReconciler.FIELD_MANAGER));
    assertThat(writerMetrics.counter("fairlead.discovery.conflicts").count()).isEqualTo(2);
    assertThat(upstreamOrNull("web-http")).isNull();
    assertThat(writerMetrics.counter("fairlead.discovery.writes", "operation", "apply").count())
        .isEqualTo(2);
    assertThat(writerMetrics.counter("fairlead.discovery.writes", "operation", "delete").count())
        .isEqualTo(1);
  }

  private void startDiscovery(DiscoveryScope scope) {
    reconciler =
        new UpstreamReconciler(discoveryClient, scope, ReconcilerSettings.DEFAULT, registry);
    reconciler.start();
    await().atMost(WAIT).until(reconciler::hasSynced);
  }

  /** Waits until discovery has caught up with every event so far. */
  private void awaitIdle() {
    await()
        .atMost(WAIT)
        .pollDelay(Duration.ofMillis(300))
        .until(() -> reconciler.pendingReconciles() == 0);
  }

  private double writes() {
    return registry.counter("fairlead.discovery.writes", "operation", "apply").count()
        + registry.counter("fairlead.discovery.writes", "operation", "delete").count();
  }

  private double reconciles() {
    return registry.counter("fairlead.discovery.reconciles").count();
  }

  private void awaitUpstreams(String service, String... names) {
    await().atMost(WAIT).until(() -> upstreamNames(ns, service).equals(Set.of(names)));
  }

  private Set<String> upstreamNames(String namespace, String service) {
    return user
        .resources(Upstream.class)
        .inNamespace(namespace)
        .withLabel(DesiredUpstreams.SERVICE_LABEL, service)
        .list()
        .getItems()
        .stream()
        .map(u -> u.getMetadata().getName())
        .collect(Collectors.toSet());
  }

  private List<Upstream> upstreamsOf(String service) {
    return user.resources(Upstream.class)
        .inNamespace(ns)
        .withLabel(DesiredUpstreams.SERVICE_LABEL, service)
        .list()
        .getItems();
  }

  private Map<String, String> uidsOf(String service) {
    return upstreamsOf(service).stream()
        .collect(Collectors.toMap(u -> u.getMetadata().getName(), u -> u.getMetadata().getUid()));
  }

  private Upstream upstream(String name) {
    Upstream upstream = upstreamOrNull(name);
    assertThat(upstream).as("Upstream %s/%s", ns, name).isNotNull();
    return upstream;
  }

  private Upstream upstreamOrNull(String name) {
    return user.resources(Upstream.class).inNamespace(ns).withName(name).get();
  }

  private void assertUntouched(Upstream before) {
    Upstream now = upstream(before.getMetadata().getName());
    assertThat(now.getMetadata().getResourceVersion())
        .isEqualTo(before.getMetadata().getResourceVersion());
    assertThat(now.getMetadata().getUid()).isEqualTo(before.getMetadata().getUid());
  }

  private static void assertPeoplesFieldsAreThere(Upstream upstream) {
    assertThat(upstream.getSpec().loadBalancer().policy())
        .isEqualTo(LoadBalancerPolicy.LEAST_REQUEST);
    assertThat(upstream.getSpec().circuitBreakers().maxConnections()).isEqualTo(100);
  }

  private static void isOwnerReferenceTo(OwnerReference owner, Service service) {
    assertThat(owner.getApiVersion()).isEqualTo("v1");
    assertThat(owner.getKind()).isEqualTo("Service");
    assertThat(owner.getName()).isEqualTo(service.getMetadata().getName());
    assertThat(owner.getUid()).isEqualTo(service.getMetadata().getUid());
    assertThat(owner.getController()).isFalse();
    assertThat(owner.getBlockOwnerDeletion()).isFalse();
  }

  private Upstream upstreamByHand(String name, KubeService kube) {
    Upstream upstream = new Upstream();
    upstream.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).build());
    upstream.setSpec(spec(kube, null));
    return upstream;
  }

  private static UpstreamSpec spec(KubeService kube, Protocol protocol) {
    return UpstreamSpec.builder().kube(kube).protocol(protocol).build();
  }

  private String createNamespace(String name, Map<String, String> labels) {
    user.namespaces()
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .withLabels(labels)
                .endMetadata()
                .build())
        .create();
    return name;
  }

  private Service create(Service service) {
    return create(ns, service);
  }

  private Service create(String namespace, Service service) {
    service.getMetadata().setNamespace(namespace);
    return user.services().inNamespace(namespace).resource(service).create();
  }

  private void editService(String name, Consumer<Service> edit) {
    user.services()
        .inNamespace(ns)
        .withName(name)
        .edit(
            s -> {
              edit.accept(s);
              return s;
            });
  }

  private static Service service(String name, Map<String, String> labels, ServicePort... ports) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(new HashMap<>(labels))
        .endMetadata()
        .withNewSpec()
        .withSelector(Map.of("app", name))
        .withPorts(ports)
        .endSpec()
        .build();
  }

  private static ServicePort port(String name, int port, String appProtocol) {
    return new ServicePortBuilder()
        .withName(name)
        .withPort(port)
        .withAppProtocol(appProtocol)
        .build();
  }
}
