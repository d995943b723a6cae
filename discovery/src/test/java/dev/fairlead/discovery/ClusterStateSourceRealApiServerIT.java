package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterStateSource} against a real kube-apiserver with the Upstream and Gateway API CRDs
 * installed: what the API server holds shows up in the next state, and bursts of changes coalesce
 * into few rebuilds.
 */
class ClusterStateSourceRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final AtomicReference<ClusterState> latest = new AtomicReference<>();
  private final AtomicInteger states = new AtomicInteger();
  private KubernetesClient user;
  private KubernetesClient sourceClient;
  private SimpleMeterRegistry registry;
  private ClusterStateSource source;
  private String ns;

  @BeforeAll
  static void installCrds() throws IOException {
    FairleadCrds.install(API_SERVER);
  }

  @BeforeEach
  void namespaceAndClients() {
    user = API_SERVER.client();
    sourceClient = API_SERVER.newClient();
    registry = new SimpleMeterRegistry();
    ns = API_SERVER.createNamespace("state-" + NAMESPACES.incrementAndGet());
  }

  @AfterEach
  void stopSource() {
    if (source != null) {
      source.close();
    }
    sourceClient.close();
  }

  @Test
  void whatTheApiServerHoldsAppearsInTheNextState() {
    String elsewhere =
        API_SERVER.createNamespace("state-elsewhere-" + NAMESPACES.incrementAndGet());
    startSource(Set.of(ns));
    await().atMost(WAIT).until(() -> latest.get() != null);
    assertThat(source.hasSynced()).isTrue();

    apply(
        ns,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{name: http, port: 80}]
        """);
    apply(
        ns,
        """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-abc
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        endpoints: [{addresses: [10.1.0.1], conditions: {ready: true}}]
        ports: [{name: http, port: 8080}]
        """);
    apply(
        ns,
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: web-http}
        spec:
          kube: {serviceName: web, port: 80}
        """);
    String gatewayClass = "state-class-" + NAMESPACES.incrementAndGet();
    user.resource(
            user.getKubernetesSerialization()
                .<HasMetadata>unmarshal(
                    """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: %s}
        spec: {controllerName: fairlead.dev/gateway-controller}
        """
                        .formatted(gatewayClass)))
        .create();
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge}
        spec:
          gatewayClassName: fairlead
          listeners: [{name: http, port: 8080, protocol: HTTP}]
        """);
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web}
        spec:
          parentRefs: [{name: edge}]
          rules: [{backendRefs: [{group: fairlead.dev, kind: Upstream, name: web-http}]}]
        """);
    user.configMaps()
        .inNamespace(ns)
        .resource(configMap("ca", Map.of(ClusterStateSource.CA_BUNDLE_LABEL, "true")))
        .create();
    user.configMaps().inNamespace(ns).resource(configMap("unrelated", Map.of())).create();
    user.configMaps()
        .inNamespace(elsewhere)
        .resource(configMap("ca", Map.of(ClusterStateSource.CA_BUNDLE_LABEL, "true")))
        .create();
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GRPCRoute
        metadata: {name: store}
        spec:
          parentRefs: [{name: edge}]
          rules: [{backendRefs: [{name: web, port: 80}]}]
        """);
    apply(
        elsewhere,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{name: http, port: 80}]
        """);
    apply(
        ns,
        """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: from-elsewhere}
        spec:
          from: [{group: fairlead.dev, kind: Upstream, namespace: other}]
          to: [{group: "", kind: Service}]
        """);
    apply(
        ns,
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: Allocation
        metadata: {name: web-http-10-1-0-1-8080-held}
        spec:
          upstream: web-http
          endpoint: {address: 10.1.0.1, port: 8080}
        """);

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              ClusterState state = latest.get();
              assertThat(names(state.services())).containsExactly(ns + "/web");
              assertThat(names(state.endpointSlices())).containsExactly(ns + "/web-abc");
              assertThat(names(state.upstreams())).containsExactly(ns + "/web-http");
              assertThat(names(state.gateways())).containsExactly(ns + "/edge");
              assertThat(state.gatewayClasses())
                  .as("cluster-scoped: seen though the watch is limited to a namespace")
                  .extracting(c -> c.getMetadata().getName())
                  .contains(gatewayClass);
              assertThat(names(state.httpRoutes())).containsExactly(ns + "/web");
              assertThat(names(state.grpcRoutes())).containsExactly(ns + "/store");
              assertThat(names(state.configMaps())).containsExactly(ns + "/ca");
              assertThat(names(state.allocations()))
                  .containsExactly(ns + "/web-http-10-1-0-1-8080-held");
              assertThat(names(state.referenceGrants())).containsExactly(ns + "/from-elsewhere");
            });
    assertThat(latest.get().upstreams().get(0).getSpec().kube().serviceName()).isEqualTo("web");
    assertThat(latest.get().endpointSlices().get(0).getEndpoints().get(0).getAddresses())
        .containsExactly("10.1.0.1");
    assertThat(
            registry.counter("fairlead.informer.events", "kind", "Gateway", "type", "add").count())
        .isEqualTo(1);
    assertThat(
            registry
                .counter("fairlead.informer.events", "kind", "ConfigMap", "type", "add")
                .count())
        .isEqualTo(1);

    user.resources(ReferenceGrant.class).inNamespace(ns).withName("from-elsewhere").delete();
    await().atMost(WAIT).until(() -> latest.get().referenceGrants().isEmpty());
    user.services().inNamespace(ns).withName("web").delete();
    await().atMost(WAIT).until(() -> latest.get().services().isEmpty());
    assertThat(
            registry
                .counter("fairlead.informer.events", "kind", "Service", "type", "delete")
                .count())
        .isEqualTo(1);
  }

  @Test
  void aBurstOfChangesCoalescesIntoFewRebuilds() throws Exception {
    startSource(Set.of());
    await().atMost(WAIT).until(() -> latest.get() != null);
    awaitQuiet();
    int before = states.get();
    double rebuildsBefore = rebuilds();
    int changes = 100;

    ExecutorService threads = Executors.newFixedThreadPool(4);
    long start = System.nanoTime();
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int thread = t;
        futures.add(
            threads.submit(
                () ->
                    IntStream.range(0, changes)
                        .filter(i -> i % 4 == thread)
                        .forEach(
                            i ->
                                user.configMaps()
                                    .inNamespace(ns)
                                    .resource(
                                        configMap(
                                            "ca-" + i,
                                            Map.of(ClusterStateSource.CA_BUNDLE_LABEL, "true")))
                                    .create())));
      }
      for (Future<?> future : futures) {
        future.get(2, TimeUnit.MINUTES);
      }
    } finally {
      threads.shutdownNow();
    }
    double burstSeconds = (System.nanoTime() - start) / 1e9;

    await()
        .atMost(WAIT)
        .until(
            () ->
                latest.get().configMaps().stream()
                        .filter(c -> c.getMetadata().getNamespace().equals(ns))
                        .count()
                    == changes);
    awaitQuiet();
    int rebuilds = states.get() - before;
    System.out.printf(
        "BURST changes=%d rebuilds=%d (the changes took %.2f s)%n",
        changes, rebuilds, burstSeconds);
    assertThat(rebuilds).isEqualTo((int) (rebuilds() - rebuildsBefore));
    // A rebuild needs 100 ms without events (or 1 s of them): at most one per 100 ms of burst, plus
    // the last.
    assertThat(rebuilds).isBetween(1, (int) (burstSeconds * 10) + 2).isLessThan(changes / 4);
  }

  private void startSource(Set<String> namespaces) {
    source =
        new ClusterStateSource(
            sourceClient,
            namespaces,
            CoalescingDelay.DEFAULT,
            registry,
            state -> {
              latest.set(state);
              states.incrementAndGet();
            });
    source.start();
    await().atMost(WAIT).until(source::hasSynced);
  }

  /** Waits until a second has passed without a new state. */
  private void awaitQuiet() {
    AtomicInteger seen = new AtomicInteger(-1);
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> seen.getAndSet(states.get()) == states.get());
  }

  private double rebuilds() {
    return registry.counter("fairlead.cluster_state.rebuilds").count();
  }

  private void apply(String namespace, String yaml) {
    HasMetadata object = user.getKubernetesSerialization().unmarshal(yaml);
    object.getMetadata().setNamespace(namespace);
    user.resource(object).create();
  }

  private static ConfigMap configMap(String name, Map<String, String> labels) {
    return new ConfigMapBuilder()
        .withNewMetadata()
        .withName(name)
        .withLabels(labels)
        .endMetadata()
        .withData(Map.of("ca.crt", "not a real certificate"))
        .build();
  }

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream()
        .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .collect(Collectors.toList());
  }
}
