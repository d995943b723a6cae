package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.api.state.ClusterState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Behaviour the golden files do not show well: robustness against malformed objects, and the output
 * types.
 */
class TranslatorTest {

  private static final Translator TRANSLATOR = new Translator(TranslatorGoldenTest.OPTIONS);

  @Test
  void emptyStateTranslatesToNothing() {
    Translation translation = TRANSLATOR.translate(ClusterState.EMPTY);

    assertThat(translation.fleets()).isEmpty();
    assertThat(translation.verdicts()).isEmpty();
  }

  @Test
  void malformedObjectsGetVerdictsAndNeverThrow() {
    ClusterState state =
        ClusterStateYaml.state(
            ClusterStateYaml.FAIRLEAD_CLASS
                + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: no-listeners}
        spec: {gatewayClassName: fairlead}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: no-spec}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: null-listener}
        spec:
          gatewayClassName: fairlead
          listeners: [null, {name: x}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: no-spec}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: nulls}
        spec:
          parentRefs: [null, {name: null-listener}, {}]
          hostnames: [null]
          rules:
          - null
          - matches: [null, {headers: [null], queryParams: [null], path: {}}]
            backendRefs: [null, {}]
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: no-spec}
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: nulls}
        spec:
          static: {hosts: [{}]}
          healthChecks: [{}]
          tls: {caBundleRef: {}}
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {namespace: default}
        spec:
          kube: {serviceName: web, port: 80}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1, labels: {kubernetes.io/service-name: web}}
        endpoints: [{}, {addresses: []}]
        ports: [{}]
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: empty}
        """);

    Translation translation = TRANSLATOR.translate(state);

    assertThat(translation.verdicts())
        .extracting(v -> v.object().kind() + " " + v.object().key() + " " + v.accepted().reason())
        .containsExactly(
            "Gateway default/no-listeners ListenersNotValid",
            "Gateway default/null-listener ListenersNotValid",
            "GatewayClass fairlead Accepted",
            "HTTPRoute default/nulls NoMatchingParent",
            "Upstream default/no-spec Invalid",
            "Upstream default/nulls Invalid");
    assertThat(translation.fleets())
        .containsOnlyKeys("default/no-listeners", "default/null-listener")
        .allSatisfy((name, fleet) -> assertThat(fleet).isEqualTo(FleetConfig.EMPTY));
  }

  @Test
  void aRouteNamingNoListenerAttachesToTheListenersItSharesAHostnameWith() {
    ClusterState state =
        ClusterStateYaml.state(
            ClusterStateYaml.FAIRLEAD_CLASS
                + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge}
        spec:
          gatewayClassName: fairlead
          listeners:
          - {name: specific, protocol: HTTP, port: 80, hostname: very.specific.com}
          - {name: wildcard, protocol: HTTP, port: 80, hostname: "*.wildcard.io"}
          - {name: other, protocol: HTTP, port: 80, hostname: "*.anotherwildcard.io"}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: two-of-three}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [non.matching.com, very.specific.com, foo.wildcard.io]
          rules: [{}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: none}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [wildcard.io]
          rules: [{}]
        """);

    assertThat(TRANSLATOR.translate(state).verdicts())
        .filteredOn(v -> v.object().kind().equals("HTTPRoute"))
        .extracting(
            v -> v.object().name() + " " + v.accepted().reason() + " " + v.attachedListeners())
        .containsExactly(
            "none NoMatchingListenerHostname []", "two-of-three Accepted [specific, wildcard]");
  }

  @Test
  void theFirstOfTwoObjectsWithOneNameWins() {
    ClusterState duplicated =
        ClusterStateYaml.state(
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: twin, namespace: default, uid: first}
        spec:
          static: {hosts: [{address: 192.0.2.1, port: 80}]}
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: twin, namespace: default, uid: second}
        spec: {}
        """);

    assertThat(TRANSLATOR.translate(duplicated).verdicts())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.object().uid()).isEqualTo("first");
              assertThat(v.accepted().isTrue()).isTrue();
            });
  }

  @Test
  void aRouteReachingOneVirtualHostThroughTwoListenersIsThereOnce() {
    ClusterState state =
        ClusterStateYaml.state(
            ClusterStateYaml.FAIRLEAD_CLASS
                + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: fairlead
          listeners:
          - {name: wildcard, protocol: HTTP, port: 80, hostname: "*.example.com"}
          - {name: exact, protocol: HTTP, port: 80, hostname: foo.example.com}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: foo, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [foo.example.com]
          rules:
          - matches: [{path: {type: Exact, value: /}}]
        """);

    RouteConfiguration table =
        TRANSLATOR.translate(state).fleets().get("default/edge").routes().get(0);

    assertThat(table.getVirtualHostsList())
        .singleElement()
        .satisfies(
            host -> {
              assertThat(host.getDomainsList())
                  .containsExactly("foo.example.com", "foo.example.com:80");
              assertThat(host.getRoutesList()).hasSize(1);
            });
  }

  @Test
  void listenersBindToTheConfiguredAddress() {
    ClusterState state =
        ClusterStateYaml.state(
            ClusterStateYaml.FAIRLEAD_CLASS
                + """
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: fairlead
          listeners: [{name: http, protocol: HTTP, port: 80}]
        """);

    assertThat(
            new Translator(TranslatorOptions.DEFAULTS)
                .translate(state)
                .fleets()
                .get("default/edge")
                .listeners())
        .singleElement()
        .satisfies(
            l -> assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("0.0.0.0"));
  }

  /**
   * A Gateway port routing to Upstream default/game in allocation mode, of two endpoints 10.0.0.1
   * and .2.
   */
  private static final String ALLOCATION_MODE =
      ClusterStateYaml.FAIRLEAD_CLASS
          + """
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: edge, namespace: default}
      spec:
        gatewayClassName: fairlead
        listeners: [{name: http, protocol: HTTP, port: 80}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: HTTPRoute
      metadata: {name: game, namespace: default}
      spec:
        parentRefs: [{name: edge}]
        rules: [{backendRefs: [{group: fairlead.dev, kind: Upstream, name: game}]}]
      ---
      apiVersion: fairlead.dev/v1alpha1
      kind: Upstream
      metadata: {name: game, namespace: default}
      spec:
        static: {hosts: [{address: 10.0.0.1, port: 7000}, {address: 10.0.0.2, port: 7000}]}
        allocation: {enabled: true}
      """;

  @Test
  void allocationRoutesAnswerTheConfiguredUnallocatedStatusAndFollowAllocationChanges()
      throws Exception {
    String objects = ALLOCATION_MODE;
    String held =
        """
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Allocation
        metadata: {name: %s, namespace: default}
        spec:
          upstream: game
          endpoint: {address: 10.0.0.2, port: 7000}
        """
            .formatted(
                dev.fairlead.api.v1alpha1.AllocationNames.forEndpoint("game", "10.0.0.2", 7000));
    Translator translator = new Translator(new TranslatorOptions("127.0.0.1", 503));

    Translation free = translator.translate(ClusterStateYaml.state(objects));
    Translation allocated = translator.translate(ClusterStateYaml.state(objects + held));

    var manager =
        free.fleets()
            .get("default/edge")
            .listeners()
            .get(0)
            .getFilterChains(0)
            .getFilters(0)
            .getTypedConfig()
            .unpack(
                io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3
                    .HttpConnectionManager.class);
    assertThat(manager.getLocalReplyConfig().getMappers(0).getStatusCode().getValue())
        .isEqualTo(503);
    assertThat(manager.getHttpFiltersList())
        .extracting(f -> f.getName())
        .containsExactly(
            AllocationRoutingFilter.RBAC_FILTER,
            AllocationRoutingFilter.FILTER,
            ListenerTranslator.ROUTER);
    assertThat(holders(free)).containsExactly(AllocationRouting.FREE, AllocationRouting.FREE);
    assertThat(holders(allocated))
        .containsExactly(
            AllocationRouting.FREE,
            dev.fairlead.api.v1alpha1.AllocationNames.forEndpoint("game", "10.0.0.2", 7000));
    assertThat(allocated.pool("default", "game"))
        .hasValueSatisfying(pool -> assertThat(pool).hasSize(2));
    assertThat(allocated.pool("default", "nope")).isEmpty();
    assertThatThrownBy(() -> new TranslatorOptions("127.0.0.1", 99))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPinnedRequestPassesOnlyWithTheTokenOfTheLiveAllocationItNames() throws Exception {
    String objects = ALLOCATION_MODE;
    String name = dev.fairlead.api.v1alpha1.AllocationNames.forEndpoint("game", "10.0.0.2", 7000);
    String held =
        """
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Allocation
        metadata: {name: %s, namespace: default, uid: %s}
        spec:
          upstream: game
          endpoint: {address: 10.0.0.2, port: 7000}
        """;
    byte[] key = new byte[dev.fairlead.api.v1alpha1.AllocationTokens.KEY_BYTES];
    var tokens = dev.fairlead.api.v1alpha1.AllocationTokens.of(key);
    TranslatorOptions options = new TranslatorOptions("127.0.0.1").withAllocationTokens(tokens);
    IncrementalTranslator incremental = new IncrementalTranslator(options);

    var first = ClusterStateYaml.state(objects + held.formatted(name, "uid-1"));
    var released = ClusterStateYaml.state(objects);
    var again = ClusterStateYaml.state(objects + held.formatted(name, "uid-2"));
    String firstToken = tokens.tokenFor(first.allocations().get(0)).orElseThrow();
    String againToken = tokens.tokenFor(again.allocations().get(0)).orElseThrow();

    assertThat(firstToken).isNotEqualTo(againToken);
    assertThat(policies(incremental.translate(first)))
        .containsOnlyKeys(AllocationRoutingFilter.UNPINNED_POLICY, name);
    assertThat(
            policies(incremental.translate(first))
                .get(name)
                .getPermissions(0)
                .getAndRules()
                .getRules(1)
                .getHeader()
                .getStringMatch()
                .getExact())
        .isEqualTo(firstToken);
    assertThat(policies(incremental.translate(released)))
        .containsOnlyKeys(AllocationRoutingFilter.UNPINNED_POLICY);
    assertThat(
            policies(incremental.translate(again))
                .get(name)
                .getPermissions(0)
                .getAndRules()
                .getRules(1)
                .getHeader()
                .getStringMatch()
                .getExact())
        .isEqualTo(againToken);
    assertThat(incremental.translate(again).fleets())
        .isEqualTo(new Translator(options).translate(again).fleets());
    assertThat(policies(new Translator(new TranslatorOptions("127.0.0.1")).translate(first)))
        .containsOnlyKeys(AllocationRoutingFilter.UNPINNED_POLICY);
    assertThat(route(incremental.translate(first)).getRequestHeadersToRemoveList())
        .contains(AllocationRouting.TOKEN_HEADER);
  }

  private static io.envoyproxy.envoy.config.route.v3.Route route(Translation translation) {
    return translation.fleets().get("default/edge").routes().get(0).getVirtualHosts(0).getRoutes(0);
  }

  private static java.util.Map<String, io.envoyproxy.envoy.config.rbac.v3.Policy> policies(
      Translation translation) throws Exception {
    return route(translation)
        .getTypedPerFilterConfigOrThrow(AllocationRoutingFilter.RBAC_FILTER)
        .unpack(io.envoyproxy.envoy.config.route.v3.FilterConfig.class)
        .getConfig()
        .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.class)
        .getRbac()
        .getRules()
        .getPoliciesMap();
  }

  private static List<String> holders(Translation translation) {
    return translation.fleets().get("default/edge").endpoints().get(0).getEndpointsList().stream()
        .flatMap(locality -> locality.getLbEndpointsList().stream())
        .map(
            endpoint ->
                endpoint
                    .getMetadata()
                    .getFilterMetadataOrThrow(AllocationRouting.METADATA_NAMESPACE)
                    .getFieldsOrThrow(AllocationRouting.METADATA_KEY)
                    .getStringValue())
        .toList();
  }

  @Test
  void fleetConfigRefusesTwoResourcesWithOneName() {
    Cluster cluster = Cluster.newBuilder().setName("upstream/default/a").build();

    assertThatThrownBy(
            () ->
                new FleetConfig(
                    List.of(cluster, cluster), List.of(), List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("upstream/default/a");
  }

  @Test
  void outputIsSortedAndImmutable() {
    Cluster b = Cluster.newBuilder().setName("b").build();
    Cluster a = Cluster.newBuilder().setName("a").build();
    Translation translation =
        new Translation(
            Map.of(
                "z/fleet",
                FleetConfig.EMPTY,
                "a/fleet",
                new FleetConfig(List.of(b, a), List.of(), List.of(), List.of(), List.of())),
            List.of(),
            Map.of(),
            Map.of(),
            Map.of());

    assertThat(translation.fleets().keySet()).containsExactly("a/fleet", "z/fleet");
    assertThat(translation.fleets().get("a/fleet").clusters()).containsExactly(a, b);
    assertThatThrownBy(() -> translation.fleets().put("b/fleet", FleetConfig.EMPTY))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
