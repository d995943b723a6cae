package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.api.v1alpha1.LoadBalancer;
import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.app.KubernetesFairlead;
import dev.fairlead.app.KubernetesOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.NetnsBackend;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestHosts;
import dev.fairlead.tls.ServerTransport;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteParentStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kubernetes mode end to end: Fairlead watching a real API server (discovery writing Upstreams,
 * informers feeding the translator) and serving a real Envoy, which sends traffic to backends on
 * test hosts in a network namespace (the API server refuses loopback endpoint addresses).
 */
class KubernetesModeEnvoyIT {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final String NAMESPACE = "default";
  private static final Map<String, String> WATCH_LABELS = Map.of("fairlead.dev/e2e", "yes");

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @RegisterExtension static final Envoys ENVOYS = new Envoys();

  @RegisterExtension static final TestHosts HOSTS = new TestHosts();

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int LISTENER_PORT = LoopbackPorts.free();
  private static KubernetesClient client;
  private static KubernetesFairlead fairlead;
  private static EnvoyProcess envoy;

  @BeforeAll
  static void startFairleadAndEnvoy() throws IOException {
    E2eObjects.installCrds(API_SERVER);
    apply(gateway("edge", LISTENER_PORT));
    client = API_SERVER.newClient();
    fairlead =
        KubernetesFairlead.start(
            new KubernetesOptions(
                "127.0.0.1",
                0,
                ServerTransport.plaintext(),
                "127.0.0.1",
                Set.of(),
                Map.of(),
                WATCH_LABELS,
                true,
                new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)),
                dev.fairlead.app.AllocatorOptions.loopback(AllocatorSecurity.plaintext())),
            client,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    envoy =
        ENVOYS
            .start(
                EnvoyBootstrap.ads(fairlead.controlPlane().xdsPort(), AdsMode.DELTA)
                    .withNode("edge-1", NAMESPACE + "/edge"))
            .awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void theAdminServerIsReadyOnceTheInformersHaveSyncedAndCountsTheirEvents() {
    AdminClient admin = new AdminClient(fairlead.adminPort());

    await("ready: informers synced, first configuration served")
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(admin.get("/readyz").statusCode()).isEqualTo(200));
    assertThat(fairlead.hasSynced()).isTrue();
    assertThat(admin.get("/healthz").statusCode()).isEqualTo(200);
    assertThat(
            admin.metric(
                "fairlead_informer_events_total", Map.of("kind", "Gateway", "type", "add")))
        .isGreaterThanOrEqualTo(1);
    assertThat(admin.metric("fairlead_cluster_state_rebuilds_total", Map.of()))
        .isGreaterThanOrEqualTo(1);
    await("the Envoy shows in proxy-status")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(admin.proxyStatus().out())
                    .containsPattern("edge-1\\s+default/edge\\s+DELTA"));
  }

  @Test
  void aServiceIsServedOnceItCarriesTheWatchLabelsAndNoLongerWhenTheyGo() {
    NetnsBackend shop = HOSTS.http("shop");
    apply(selectorlessService("shop", Map.of()));
    apply(slice("shop", List.of(endpoint(shop, true, false))));
    apply(route("shop", "/shop", "shop-http"));
    await("a Service without the watch labels is not discovered")
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(status("/shop")).isEqualTo(500));
    assertThat(upstream("shop-http")).isNull();

    apply(selectorlessService("shop", WATCH_LABELS));
    await("labelled: discovered and served")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(identity("/shop")).isEqualTo("shop"));

    apply(selectorlessService("shop", Map.of()));
    await("labels removed: the Upstream is deleted and traffic stops")
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              assertThat(upstream("shop-http")).isNull();
              assertThat(status("/shop")).isEqualTo(500);
            });
  }

  @Test
  void endpointSliceChangesReachEnvoyAndTerminatingEndpointsDrain() throws Exception {
    NetnsBackend blue = HOSTS.http("blue");
    NetnsBackend green = HOSTS.http("green");
    apply(selectorlessService("colors", WATCH_LABELS));
    apply(slice("colors", List.of(endpoint(blue, true, false), endpoint(green, true, false))));
    apply(route("colors", "/colors", "colors-http"));
    await("both endpoints serve")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(identities("/colors", 40)).contains("blue", "green"));

    long removed = System.nanoTime();
    apply(slice("colors", List.of(endpoint(blue, true, false))));
    await("green removed from the slice gets no more traffic")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(20))
        .ignoreExceptions()
        .until(() -> !envoyEndpoints("upstream/default/colors-http").contains(green.address()));
    long removalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - removed);
    long greenBefore = green.requests();
    assertThat(identities("/colors", 20)).containsOnly("blue");
    assertThat(green.requests()).isEqualTo(greenBefore);

    apply(slice("colors", List.of(endpoint(blue, false, true), endpoint(green, true, false))));
    await("blue terminating drains, green takes the traffic")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(healthSent("upstream/default/colors-http", blue.address()))
                  .isEqualTo(HealthStatus.DRAINING);
              assertThat(identities("/colors", 20)).containsOnly("green");
            });
    // Envoy folds an EDS DRAINING status into failed EDS health: still listed, no new requests.
    assertThat(envoyEndpoints("upstream/default/colors-http")).contains(blue.address());
    System.out.println(
        "CONVERGENCE endpoint removed from EndpointSlice to Envoy dropping it (ms): "
            + removalMillis);
  }

  @Test
  void userTunedFieldsReachEnvoyAndSurviveServiceChanges() {
    NetnsBackend tuned = HOSTS.http("tuned");
    apply(selectorlessService("tuned", WATCH_LABELS));
    apply(slice("tuned", List.of(endpoint(tuned, true, false))));
    apply(route("tuned", "/tuned", "tuned-http"));
    await().atMost(BOUND).ignoreExceptions().until(() -> upstream("tuned-http") != null);

    client
        .resources(Upstream.class)
        .inNamespace(NAMESPACE)
        .withName("tuned-http")
        .edit(
            u -> {
              u.setSpec(
                  dev.fairlead.api.v1alpha1.UpstreamSpec.builder()
                      .kube(u.getSpec().kube())
                      .loadBalancer(new LoadBalancer(LoadBalancerPolicy.LEAST_REQUEST))
                      .circuitBreakers(u.getSpec().circuitBreakers())
                      .protocol(u.getSpec().protocol())
                      .build());
              return u;
            });
    Service changed =
        selectorlessService("tuned", Map.of("fairlead.dev/e2e", "yes", "tier", "gold"));
    apply(changed);

    await("the user's policy reaches Envoy and survives the Service change")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(upstream("tuned-http").getSpec().loadBalancer().policy())
                  .isEqualTo(LoadBalancerPolicy.LEAST_REQUEST);
              assertThat(envoy.configDump()).contains("\"lb_policy\": \"LEAST_REQUEST\"");
              assertThat(identity("/tuned")).isEqualTo("tuned");
            });
  }

  @Test
  void aDeletedServiceTakesItsUpstreamWithItAndARecreatedOneGetsANewOne() {
    NetnsBackend phoenix = HOSTS.http("phoenix");
    apply(selectorlessService("phoenix", WATCH_LABELS));
    apply(slice("phoenix", List.of(endpoint(phoenix, true, false))));
    apply(route("phoenix", "/phoenix", "phoenix-http"));
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(identity("/phoenix")).isEqualTo("phoenix"));
    String firstUid = upstream("phoenix-http").getMetadata().getUid();

    API_SERVER.client().services().inNamespace(NAMESPACE).withName("phoenix").delete();
    await("the Service's Upstream is deleted and Envoy stops routing to it")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(upstream("phoenix-http")).isNull();
              assertThat(status("/phoenix")).isEqualTo(500);
            });

    apply(selectorlessService("phoenix", WATCH_LABELS));
    await("recreated: a new Upstream, served again")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              assertThat(upstream("phoenix-http").getMetadata().getUid()).isNotEqualTo(firstUid);
              assertThat(identity("/phoenix")).isEqualTo("phoenix");
            });
  }

  @Test
  void aServedUpstreamReportsAcceptedProgrammedAndItsReadyEndpoints() {
    NetnsBackend one = HOSTS.http("counted-1");
    NetnsBackend two = HOSTS.http("counted-2");
    apply(selectorlessService("counted", WATCH_LABELS));
    apply(slice("counted", List.of(endpoint(one, true, false), endpoint(two, true, false))));
    apply(route("counted", "/counted", "counted-http"));

    await("status written from the translation")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              Upstream counted = upstream("counted-http");
              assertThat(condition(counted.getStatus().conditions(), "Accepted")).isEqualTo("True");
              assertThat(condition(counted.getStatus().conditions(), "ResolvedRefs"))
                  .isEqualTo("True");
              assertThat(condition(counted.getStatus().conditions(), "Programmed"))
                  .isEqualTo("True");
              assertThat(counted.getStatus().readyEndpoints()).isEqualTo(2);
              assertThat(counted.getStatus().observedGeneration())
                  .isEqualTo(counted.getMetadata().getGeneration());
            });
    String columns =
        API_SERVER
            .kubectl()
            .run("get", "us", "counted-http", "-n", NAMESPACE)
            .requireSuccess()
            .stdout();
    assertThat(columns)
        .as("NAME ACCEPTED PROGRAMMED ENDPOINTS")
        .contains("counted-http")
        .containsPattern("True\\s+True\\s+2\\s");
  }

  /**
   * An Upstream (and an HTTPRoute backendRef) naming a Service of another namespace reaches its
   * pods only while a ReferenceGrant in that namespace permits it: without one, the Upstream
   * reports ResolvedRefs False (RefNotPermitted), the route reports its backends unresolved and
   * Envoy gets nothing of that Service (500); the grant turns all of it on, and deleting the grant
   * turns it off again.
   */
  @Test
  void anotherNamespacesServiceIsServedOnlyWhileAReferenceGrantThereAllowsIt() {
    String vaultNamespace = API_SERVER.createNamespace("vault-backends");
    NetnsBackend vault = HOSTS.http("vault");
    apply(
        """
        apiVersion: v1
        kind: Service
        metadata: {name: vault, namespace: %s}
        spec:
          ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
        """
            .formatted(vaultNamespace));
    apply(E2eObjects.slice(vaultNamespace, "vault", List.of(endpoint(vault, true, false))));
    apply(
        """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: vault, namespace: default}
        spec:
          kube: {serviceName: vault, namespace: %s, port: 80}
        """
            .formatted(vaultNamespace));
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: vault, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /vault-upstream}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: vault}]
          - matches: [{path: {type: PathPrefix, value: /vault-service}}]
            backendRefs: [{kind: Service, name: vault, namespace: %s, port: 80}]
        """
            .formatted(vaultNamespace));
    String grant =
        """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: from-default, namespace: %s}
        spec:
          from:
          - {group: fairlead.dev, kind: Upstream, namespace: default}
          - {group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: default}
          to:
          - {group: "", kind: Service, name: vault}
        """
            .formatted(vaultNamespace);

    awaitVaultRefused(
        "without a ReferenceGrant: refused, reported, and nothing served", vaultNamespace);

    apply(grant);
    await("the grant permits both references: resolved and served")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var resolved = upstreamCondition("vault", "ResolvedRefs");
              assertThat(resolved.getStatus()).as(resolved.getMessage()).isEqualTo("True");
              var routeResolved = routeCondition("vault", "ResolvedRefs");
              assertThat(routeResolved.getStatus())
                  .as(routeResolved.getMessage())
                  .isEqualTo("True");
              assertThat(identity("/vault-upstream")).isEqualTo("vault");
              assertThat(identity("/vault-service")).isEqualTo("vault");
            });

    API_SERVER
        .client()
        .resources(io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant.class)
        .inNamespace(vaultNamespace)
        .withName("from-default")
        .delete();
    awaitVaultRefused("the grant deleted: access revoked, and the status says so", vaultNamespace);
  }

  private static void awaitVaultRefused(String why, String vaultNamespace) {
    await(why)
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              var resolved = upstreamCondition("vault", "ResolvedRefs");
              assertThat(resolved.getStatus()).isEqualTo("False");
              assertThat(resolved.getReason()).isEqualTo("RefNotPermitted");
              assertThat(resolved.getMessage())
                  .contains("spec.kube.namespace", "ReferenceGrant in namespace " + vaultNamespace);
              var routeResolved = routeCondition("vault", "ResolvedRefs");
              assertThat(routeResolved.getStatus()).isEqualTo("False");
              assertThat(routeResolved.getMessage())
                  .contains(
                      "Upstream default/vault has no cluster (RefNotPermitted)",
                      "spec.rules[1].backendRefs[0].namespace: Service "
                          + vaultNamespace
                          + "/vault is in another namespace");
              assertThat(status("/vault-upstream")).isEqualTo(500);
              assertThat(status("/vault-service")).isEqualTo(500);
              assertThat(envoyEndpoints("upstream/default/vault")).isEmpty();
            });
  }

  private static io.fabric8.kubernetes.api.model.Condition upstreamCondition(
      String name, String type) {
    return upstream(name).getStatus().conditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  /** The condition {@code type} of the one parent entry of HTTPRoute {@code name}. */
  private static io.fabric8.kubernetes.api.model.Condition routeCondition(
      String name, String type) {
    return API_SERVER
        .client()
        .resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute.class)
        .inNamespace(NAMESPACE)
        .withName(name)
        .get()
        .getStatus()
        .getParents()
        .get(0)
        .getConditions()
        .stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aListenerEnvoyRejectsIsReportedAsProgrammedFalseWithEnvoysMessageAndClearsOnceFixed()
      throws Exception {
    int goodPort = LoopbackPorts.free();
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      apply(gateway("blocked", taken.getLocalPort()));
      EnvoyProcess blockedEnvoy =
          ENVOYS.start(
              EnvoyBootstrap.ads(fairlead.controlPlane().xdsPort(), AdsMode.SOTW)
                  .withNode("blocked-1", NAMESPACE + "/blocked"));

      await("Envoy's rejection shows on the Gateway")
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .untilAsserted(
              () -> {
                var programmed = gatewayCondition("blocked", "Programmed");
                assertThat(programmed.getStatus()).isEqualTo("False");
                assertThat(programmed.getMessage())
                    .contains("1 proxy")
                    .contains("Address already in use")
                    .contains("http-" + taken.getLocalPort());
              });
      assertThat(blockedEnvoy.isAlive()).isTrue();
    }
    apply(gateway("blocked", goodPort));

    await("the condition clears once Envoy accepts the fixed listener")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(gatewayCondition("blocked", "Programmed").getStatus())
                    .isEqualTo("True"));
  }

  @Test
  void
      allocatedEndpointsGetOnlyTheirPinnedRequestsWithTheirTokenAndAVanishedOneAnswersTheConfiguredStatus()
          throws Exception {
    NetnsBackend first = HOSTS.http("alloc-1");
    NetnsBackend second = HOSTS.http("alloc-2");
    NetnsBackend third = HOSTS.http("alloc-3");
    apply(selectorlessService("alloc", WATCH_LABELS));
    apply(
        slice(
            "alloc",
            List.of(
                endpoint(first, true, false),
                endpoint(second, true, false),
                endpoint(third, true, false))));
    apply(route("alloc", "/alloc", "alloc-http"));
    await()
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(identity("/alloc")).startsWith("alloc-"));
    String request = "{\"upstream\": \"alloc-http\", \"labels\": {\"player\": \"p1\"}}";
    HttpResponse<String> shared = allocate(request);
    assertThat(shared.statusCode()).as(shared.body()).isEqualTo(400);
    assertThat(shared.body()).contains("UpstreamNotAllocatable").contains("not in allocation mode");

    // What a user does with kubectl patch --type merge; discovery owns other fields and leaves this
    // one alone.
    client
        .resources(Upstream.class)
        .inNamespace(NAMESPACE)
        .withName("alloc-http")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\": {\"allocation\": {\"enabled\": true}}}");
    await("the Upstream is in allocation mode with 3 endpoints")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                fairlead
                        .controlPlane()
                        .lastTranslation()
                        .pool(NAMESPACE, "alloc-http")
                        .map(List::size)
                        .orElse(0)
                    == 3);

    Map<String, String> held = new java.util.LinkedHashMap<>();
    Map<String, String> tokens = new java.util.HashMap<>();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> allocated = allocate(request);
      assertThat(allocated.statusCode()).as(allocated.body()).isEqualTo(201);
      com.fasterxml.jackson.databind.JsonNode json = JSON.readTree(allocated.body());
      held.put(json.path("name").asText(), json.path("endpoint").path("address").asText());
      tokens.put(json.path("name").asText(), json.path("token").asText());
    }
    Map<String, NetnsBackend> byAddress =
        Map.of(first.address(), first, second.address(), second, third.address(), third);
    NetnsBackend free =
        byAddress.values().stream()
            .filter(b -> !held.containsValue(b.address()))
            .findFirst()
            .orElseThrow();

    for (Map.Entry<String, String> allocation : held.entrySet()) {
      String expected = byAddress.get(allocation.getValue()).name();
      await("requests pinned to " + allocation.getKey() + " reach " + expected)
          .atMost(BOUND)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .untilAsserted(
              () ->
                  assertThat(
                          pinnedIdentity(
                              "/alloc", allocation.getKey(), tokens.get(allocation.getKey())))
                      .isEqualTo(expected));
      for (int i = 0; i < 10; i++) {
        assertThat(pinnedIdentity("/alloc", allocation.getKey(), tokens.get(allocation.getKey())))
            .isEqualTo(expected);
      }
      assertThat(byAddress.get(allocation.getValue()).lastHeaderNames())
          .as("what the endpoint was sent")
          .contains("x-fairlead-allocation")
          .doesNotContain("x-fairlead-allocation-token");
      String other =
          held.keySet().stream()
              .filter(name -> !name.equals(allocation.getKey()))
              .findFirst()
              .orElseThrow();
      assertThat(pinnedStatus("/alloc", allocation.getKey(), null)).as("no token").isEqualTo(403);
      assertThat(pinnedStatus("/alloc", allocation.getKey(), ""))
          .as("an empty token")
          .isEqualTo(403);
      assertThat(pinnedStatus("/alloc", allocation.getKey(), tokens.get(other)))
          .as("another allocation's token")
          .isEqualTo(403);
      assertThat(
              pinnedStatus(
                  "/alloc",
                  allocation.getKey(),
                  tokens.get(allocation.getKey()).substring(1) + "A"))
          .as("a wrong token")
          .isEqualTo(403);
    }
    assertThat(
            pinnedStatus(
                "/alloc", "alloc-http-no-such-allocation", tokens.values().iterator().next()))
        .as("an unknown allocation")
        .isEqualTo(403);
    await("unpinned requests reach only the free endpoint")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .untilAsserted(() -> assertThat(identities("/alloc", 10)).containsOnly(free.name()));
    Map<String, Long> heldRequests = new java.util.HashMap<>();
    held.values().forEach(address -> heldRequests.put(address, byAddress.get(address).requests()));
    assertThat(identities("/alloc", 30)).containsOnly(free.name());
    held.values()
        .forEach(
            address ->
                assertThat(byAddress.get(address).requests())
                    .as("allocated endpoint %s gets no unpinned traffic", address)
                    .isEqualTo(heldRequests.get(address)));

    HttpResponse<String> last = allocate(request);
    assertThat(last.statusCode()).as(last.body()).isEqualTo(201);
    String lastName = JSON.readTree(last.body()).path("name").asText();
    tokens.put(lastName, JSON.readTree(last.body()).path("token").asText());
    await("with every endpoint held, an unpinned request gets the configured status")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> status("/alloc") == 429);
    await("requests pinned to the last allocation reach " + free.name())
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> pinnedIdentity("/alloc", lastName, tokens.get(lastName)).equals(free.name()));
    HttpResponse<String> exhausted = allocate(request);
    assertThat(exhausted.statusCode()).isEqualTo(429);
    assertThat(exhausted.body()).contains("\"code\"").contains("NoFreeEndpoint");

    Map.Entry<String, String> vanishing = held.entrySet().iterator().next();
    String releasedToken = tokens.get(vanishing.getKey());
    assertThat(release(vanishing.getKey()).statusCode()).isEqualTo(200);
    await("a released allocation's token is refused at once")
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> pinnedStatus("/alloc", vanishing.getKey(), releasedToken) == 403);
    HttpResponse<String> again = allocate(request);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    com.fasterxml.jackson.databind.JsonNode reallocated = JSON.readTree(again.body());
    assertThat(reallocated.path("name").asText())
        .as("the only free endpoint, under the same name")
        .isEqualTo(vanishing.getKey());
    String newToken = reallocated.path("token").asText();
    assertThat(newToken).isNotEmpty().isNotEqualTo(releasedToken);
    tokens.put(vanishing.getKey(), newToken);
    String reallocatedBackend = byAddress.get(vanishing.getValue()).name();
    await("the new holder's token reaches the endpoint")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () ->
                pinnedIdentity("/alloc", vanishing.getKey(), newToken).equals(reallocatedBackend));
    assertThat(pinnedStatus("/alloc", vanishing.getKey(), releasedToken))
        .as("the former holder's token does not reach the endpoint allocated again")
        .isEqualTo(403);
    logs.assertNoLineContains("an allocation token", newToken);
    NetnsBackend gone = byAddress.get(vanishing.getValue());
    apply(
        slice(
            "alloc",
            byAddress.values().stream()
                .filter(b -> b != gone)
                .map(b -> endpoint(b, true, false))
                .toList()));
    await("a request pinned to a vanished endpoint gets the configured status, not 503")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(50))
        .until(() -> pinnedStatus("/alloc", vanishing.getKey(), newToken) == 429);
    HttpResponse<String> reply = pinned("/alloc", vanishing.getKey(), newToken);
    assertThat(reply.body()).contains("no endpoint for this request");
    await("the sweeper frees the vanished endpoint's allocation")
        .atMost(BOUND)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                client
                        .resources(dev.fairlead.api.v1alpha1.Allocation.class)
                        .inNamespace(NAMESPACE)
                        .withName(vanishing.getKey())
                        .get()
                    == null);
    assertThat(upstream("alloc-http").getSpec().allocationMode())
        .as("the user's edit survived discovery")
        .isTrue();
  }

  /**
   * Rule 10, only what is ours: with a second GatewayClass of another controller, its Gateway and a
   * route attached to both Gateways in the same namespace, Fairlead accepts its own class, serves
   * and reports only its own Gateway, writes its own route parent entry, and leaves the other
   * controller's class, Gateway and route entry byte-identical — the same resourceVersion and
   * status as that controller last wrote them.
   */
  @Test
  void anotherControllersClassGatewayAndRouteEntryAreLeftByteIdentical() throws Exception {
    KubernetesClient other = API_SERVER.client();
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: other}
        spec: {controllerName: example.com/other}
        """);
    apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: theirs, namespace: default}
        spec:
          gatewayClassName: other
          listeners: [{name: http, port: %d, protocol: HTTP}]
        """
            .formatted(LoopbackPorts.free()));
    apply(E2eObjects.staticUpstream("both", "HTTP1", 9));
    apply(
        route("both", "/both", "both")
            .replace("parentRefs: [{name: edge}]", "parentRefs: [{name: edge}, {name: theirs}]"));
    // The other controller writes its status on its class, its Gateway and its entry of the shared
    // route.
    io.fabric8.kubernetes.api.model.Condition accepted =
        new io.fabric8.kubernetes.api.model.Condition(
            "2026-01-01T00:00:00Z",
            "accepted by the other controller",
            1L,
            "Accepted",
            "True",
            "Accepted");
    // Retried on conflicts as a controller would: without rule 10, Fairlead's own writes would race
    // these.
    GatewayClass theirClass =
        await("the other controller's class status written")
            .atMost(BOUND)
            .ignoreExceptions()
            .until(
                () ->
                    other
                        .resources(GatewayClass.class)
                        .withName("other")
                        .editStatus(
                            c ->
                                new GatewayClassBuilder(c)
                                    .withNewStatus()
                                    .withConditions(accepted)
                                    .endStatus()
                                    .build()),
                c -> true);
    Gateway theirGateway =
        await("the other controller's Gateway status written")
            .atMost(BOUND)
            .ignoreExceptions()
            .until(
                () ->
                    other
                        .resources(Gateway.class)
                        .inNamespace(NAMESPACE)
                        .withName("theirs")
                        .editStatus(
                            g ->
                                new GatewayBuilder(g)
                                    .withNewStatus()
                                    .withConditions(accepted)
                                    .endStatus()
                                    .build()),
                g -> true);
    RouteParentStatus theirEntry =
        new RouteParentStatus(
            List.of(accepted),
            "example.com/other",
            new ParentReferenceBuilder()
                .withGroup("gateway.networking.k8s.io")
                .withKind("Gateway")
                .withNamespace(NAMESPACE)
                .withName("theirs")
                .build());
    await("the other controller's route entry written")
        .atMost(BOUND)
        .ignoreExceptions()
        .until(
            () -> {
              HTTPRoute route =
                  other.resources(HTTPRoute.class).inNamespace(NAMESPACE).withName("both").get();
              List<RouteParentStatus> parents =
                  new ArrayList<>(
                      route.getStatus() == null ? List.of() : route.getStatus().getParents());
              if (!parents.contains(theirEntry)) {
                parents.add(0, theirEntry);
                route.setStatus(new HTTPRouteStatus(parents));
                other
                    .resources(HTTPRoute.class)
                    .inNamespace(NAMESPACE)
                    .resource(route)
                    .updateStatus();
              }
              return true;
            });

    await("Fairlead's class accepted")
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(
                        other
                            .resources(GatewayClass.class)
                            .withName("fairlead")
                            .get()
                            .getStatus()
                            .getConditions())
                    .extracting(c -> c.getType() + "=" + c.getStatus())
                    .containsExactly("Accepted=True", "SupportedVersion=True"));
    await("Fairlead's entry written next to the other controller's")
        .atMost(BOUND)
        .untilAsserted(
            () -> {
              List<RouteParentStatus> parents =
                  other
                      .resources(HTTPRoute.class)
                      .inNamespace(NAMESPACE)
                      .withName("both")
                      .get()
                      .getStatus()
                      .getParents();
              assertThat(parents).contains(theirEntry);
              assertThat(parents)
                  .filteredOn(p -> p.getControllerName().equals("fairlead.dev/gateway-controller"))
                  .singleElement()
                  .satisfies(p -> assertThat(p.getParentRef().getName()).isEqualTo("edge"));
            });
    assertThat(fairlead.controlPlane().lastTranslation().fleets())
        .doesNotContainKey(NAMESPACE + "/theirs");
    await("the other controller's objects stay as it wrote them")
        .atMost(BOUND)
        .during(Duration.ofSeconds(3))
        .untilAsserted(
            () -> {
              GatewayClass classNow = other.resources(GatewayClass.class).withName("other").get();
              assertThat(classNow.getMetadata().getResourceVersion())
                  .isEqualTo(theirClass.getMetadata().getResourceVersion());
              assertThat(classNow.getStatus()).isEqualTo(theirClass.getStatus());
              Gateway gatewayNow =
                  other.resources(Gateway.class).inNamespace(NAMESPACE).withName("theirs").get();
              assertThat(gatewayNow.getMetadata().getResourceVersion())
                  .isEqualTo(theirGateway.getMetadata().getResourceVersion());
              assertThat(gatewayNow.getStatus()).isEqualTo(theirGateway.getStatus());
              assertThat(
                      other
                          .resources(HTTPRoute.class)
                          .inNamespace(NAMESPACE)
                          .withName("both")
                          .get()
                          .getStatus()
                          .getParents()
                          .get(0))
                  .isEqualTo(theirEntry);
            });
  }

  private static HttpResponse<String> allocate(String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + fairlead.allocationHttpPort()
                        + "/v1/namespaces/default/allocations"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> release(String name) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + fairlead.allocationHttpPort()
                        + "/v1/namespaces/default/allocations/"
                        + name))
            .DELETE()
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * A request pinned to {@code allocation}, with {@code token} in the token header (none when
   * null).
   */
  private static HttpResponse<String> pinned(String path, String allocation, String token)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + LISTENER_PORT + path))
            .header("x-fairlead-allocation", allocation)
            .timeout(Duration.ofSeconds(5));
    if (token != null) {
      request.header("x-fairlead-allocation-token", token);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String pinnedIdentity(String path, String allocation, String token)
      throws Exception {
    HttpResponse<String> response = pinned(path, allocation, token);
    return response
        .headers()
        .firstValue(HttpBackend.IDENTITY_HEADER)
        .orElse("status " + response.statusCode());
  }

  private static int pinnedStatus(String path, String allocation, String token) throws Exception {
    return pinned(path, allocation, token).statusCode();
  }

  /** The endpoint addresses Envoy holds for one cluster, from its {@code /config_dump}. */
  private static List<String> envoyEndpoints(String cluster) {
    return E2eObjects.envoyEndpoints(envoy.configDump(), cluster);
  }

  private static String gateway(String name, int port) {
    return E2eObjects.gateway(name, port);
  }

  private static io.fabric8.kubernetes.api.model.Condition gatewayCondition(
      String gateway, String type) {
    return API_SERVER
        .client()
        .resources(io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway.class)
        .inNamespace(NAMESPACE)
        .withName(gateway)
        .get()
        .getStatus()
        .getConditions()
        .stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static String condition(
      List<io.fabric8.kubernetes.api.model.Condition> conditions, String type) {
    return conditions.stream()
        .filter(c -> c.getType().equals(type))
        .map(c -> c.getStatus())
        .findFirst()
        .orElse("missing");
  }

  /** The health status Fairlead is serving for one endpoint of one cluster. */
  private static HealthStatus healthSent(String cluster, String address) {
    return fairlead
        .controlPlane()
        .lastTranslation()
        .fleets()
        .get(NAMESPACE + "/edge")
        .endpoints()
        .stream()
        .filter(cla -> cla.getClusterName().equals(cluster))
        .flatMap(cla -> cla.getEndpointsList().stream())
        .flatMap(locality -> locality.getLbEndpointsList().stream())
        .filter(lb -> lb.getEndpoint().getAddress().getSocketAddress().getAddress().equals(address))
        .map(lb -> lb.getHealthStatus())
        .findFirst()
        .orElseThrow();
  }

  private static Upstream upstream(String name) {
    return client.resources(Upstream.class).inNamespace(NAMESPACE).withName(name).get();
  }

  private static void apply(String yaml) {
    API_SERVER.apply(yaml);
  }

  private static void apply(HasMetadata object) {
    API_SERVER.client().resource(object).forceConflicts().serverSideApply();
  }

  private static Service selectorlessService(String name, Map<String, String> labels) {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: %s
          namespace: default
          labels: {}
        spec:
          ports: [{name: http, port: 80, targetPort: 8080, protocol: TCP}]
        """
            .formatted(name);
    Service service =
        API_SERVER.client().getKubernetesSerialization().unmarshal(yaml, Service.class);
    service.getMetadata().setLabels(new java.util.HashMap<>(labels));
    return service;
  }

  private static String slice(String service, List<String> endpoints) {
    return E2eObjects.slice(service, endpoints);
  }

  private static String endpoint(NetnsBackend backend, boolean ready, boolean terminating) {
    return "{addresses: [%s], conditions: {ready: %s, serving: true, terminating: %s}}"
        .formatted(backend.address(), ready, terminating);
  }

  private static String route(String name, String prefix, String upstream) {
    return E2eObjects.route(name, prefix, upstream);
  }

  private static List<String> identities(String path, int requests) throws Exception {
    List<String> seen = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      seen.add(identity(path));
    }
    return seen;
  }

  private static String identity(String path) throws Exception {
    HttpResponse<String> response = send(path);
    return response
        .headers()
        .firstValue(HttpBackend.IDENTITY_HEADER)
        .orElse("status " + response.statusCode());
  }

  private static int status(String path) throws Exception {
    return send(path).statusCode();
  }

  private static HttpResponse<String> send(String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + LISTENER_PORT + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
