package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.AllocationNames;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental translator gives the pure translator's output for every state, whatever came
 * before, and reuses the instances of what did not change: states in random sequences (objects of
 * every kind added, removed, changed, and re-read as equal new instances) translate equal to a full
 * translation, and a change to one input makes new output only where that input is read.
 */
class IncrementalTranslatorTest {

  private static final TranslatorOptions OPTIONS = TranslatorGoldenTest.OPTIONS;
  private static final String FLEET = "default/edge";

  /** The Gateway of {@link #FLEET} (one listener, port 80) and its class. */
  private static final String GATEWAY =
      ClusterStateYaml.FAIRLEAD_CLASS
          + """
      ---
      kind: Gateway
      apiVersion: gateway.networking.k8s.io/v1
      metadata: {name: edge, namespace: default}
      spec: {gatewayClassName: fairlead, listeners: [{name: http, protocol: HTTP, port: 80}]}
      """;

  private static String pem;

  @BeforeAll
  static void readCertificate() throws IOException {
    pem =
        ClusterStateYaml.objects(
                TranslatorGoldenTest.CASES.resolve("in").resolve("upstream-settings.yaml"))
            .stream()
            .filter(ConfigMap.class::isInstance)
            .map(object -> ((ConfigMap) object).getData().get("ca.crt"))
            .filter(data -> data != null)
            .findFirst()
            .orElseThrow();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void everyStateOfARandomSequenceTranslatesAsAFullTranslationDoes(long seed) {
    Random random = new Random(seed);
    RandomObjects generator = new RandomObjects(random);
    Map<String, String> yaml = new TreeMap<>();
    Map<String, HasMetadata> objects = new TreeMap<>();
    IncrementalTranslator incremental = new IncrementalTranslator(OPTIONS);
    Translator full = new Translator(OPTIONS);
    for (int step = 0; step < 150; step++) {
      int changes = 1 + random.nextInt(step == 0 ? 30 : 3);
      for (int c = 0; c < changes; c++) {
        String slot = generator.slot();
        int action = random.nextInt(10);
        if (action < 2) {
          yaml.remove(slot);
          objects.remove(slot);
        } else if (action < 4 && yaml.containsKey(slot)) {
          objects.put(slot, parse(yaml.get(slot)));
        } else {
          yaml.put(slot, generator.object(slot));
          objects.put(slot, parse(yaml.get(slot)));
        }
      }
      ClusterState state = ClusterState.of(List.copyOf(objects.values()));

      assertThat(incremental.translate(state))
          .as("seed %d step %d: %s", seed, step, yaml.keySet())
          .isEqualTo(full.translate(state));
    }
  }

  @Test
  void unchangedUpstreamsAndRoutesKeepTheirInstancesWhenOneUpstreamChanges() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    Translation before = translator.translate(state(i -> staticUpstream(i, "10.0.0." + (i + 1))));
    Translation after =
        translator.translate(
            state(i -> staticUpstream(i, i == 2 ? "10.0.9.9" : "10.0.0." + (i + 1))));

    FleetConfig was = before.fleets().get(FLEET);
    FleetConfig is = after.fleets().get(FLEET);
    assertThat(is)
        .isEqualTo(
            new Translator(OPTIONS)
                .translate(state(i -> staticUpstream(i, i == 2 ? "10.0.9.9" : "10.0.0." + (i + 1))))
                .fleets()
                .get(FLEET));
    for (int i = 0; i < 5; i++) {
      assertThat(is.clusters().get(i)).as("cluster %d", i).isSameAs(was.clusters().get(i));
      if (i != 2) {
        assertThat(is.endpoints().get(i)).as("endpoints %d", i).isSameAs(was.endpoints().get(i));
      }
    }
    assertThat(is.endpoints().get(2)).isNotEqualTo(was.endpoints().get(2));
    assertThat(is.routes()).singleElement().isSameAs(was.routes().get(0));
    assertThat(is.listeners())
        .hasSize(was.listeners().size())
        .allSatisfy(
            listener ->
                assertThat(was.listeners()).anySatisfy(l -> assertThat(l).isSameAs(listener)));
  }

  @Test
  void aRotatedCertificateChangesOnlyItsSecretAndARemovedGrantTakesTheListenerOut()
      throws IOException {
    List<HasMetadata> https =
        ClusterStateYaml.objects(
            TranslatorGoldenTest.CASES.resolve("in").resolve("gateway-https.yaml"));
    Secret a = secret(https, "a-cert");
    Secret rotated =
        new SecretBuilder(a)
            .withData(null)
            .withStringData(secret(https, "wildcard-cert").getStringData())
            .build();
    List<HasMetadata> afterRotation = new ArrayList<>(https);
    afterRotation.set(https.indexOf(a), rotated);
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);

    FleetConfig was = translator.translate(ClusterState.of(https)).fleets().get(FLEET);
    Translation rotation = translator.translate(ClusterState.of(afterRotation));
    FleetConfig is = rotation.fleets().get(FLEET);

    assertThat(rotation)
        .isEqualTo(new Translator(OPTIONS).translate(ClusterState.of(afterRotation)));
    assertSameInstances(is.listeners(), was.listeners());
    assertSameInstances(is.routes(), was.routes());
    assertThat(is.secrets())
        .extracting(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret::getName)
        .containsExactly("default/a-cert", "default/b-cert", "default/wildcard-cert");
    assertThat(is.secrets().get(0)).isNotEqualTo(was.secrets().get(0));
    assertThat(is.secrets().get(1)).isSameAs(was.secrets().get(1));

    List<HasMetadata> granted =
        ClusterStateYaml.objects(
            TranslatorGoldenTest.CASES
                .resolve("in")
                .resolve("gateway-https-certificate-refs.yaml"));
    List<HasMetadata> revoked =
        granted.stream().filter(o -> !(o instanceof ReferenceGrant)).toList();
    IncrementalTranslator refs = new IncrementalTranslator(OPTIONS);
    refs.translate(ClusterState.of(granted));
    Translation withoutGrant = refs.translate(ClusterState.of(revoked));

    assertThat(withoutGrant).isEqualTo(new Translator(OPTIONS).translate(ClusterState.of(revoked)));
    assertThat(withoutGrant.fleets().get(FLEET).secrets())
        .extracting(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret::getName)
        .containsExactly("default/a-cert");
    assertThat(withoutGrant.verdicts())
        .filteredOn(v -> v.object().kind().equals("Gateway"))
        .singleElement()
        .satisfies(
            gateway ->
                assertThat(gateway.listeners().get(0).resolvedRefs().reason())
                    .isEqualTo("RefNotPermitted"));
  }

  private static Secret secret(List<HasMetadata> objects, String name) {
    return objects.stream()
        .filter(o -> o instanceof Secret && o.getMetadata().getName().equals(name))
        .map(Secret.class::cast)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void objectsReadAgainAsEqualNewInstancesKeepEveryOutputInstance() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    String objects = kubeObjects("10.0.1.1", "http", trusted());
    FleetConfig was = translator.translate(ClusterStateYaml.state(objects)).fleets().get(FLEET);
    FleetConfig is = translator.translate(ClusterStateYaml.state(objects)).fleets().get(FLEET);

    assertThat(was.clusters()).hasSize(3);
    assertSameInstances(is.clusters(), was.clusters());
    assertSameInstances(is.endpoints(), was.endpoints());
    assertSameInstances(is.listeners(), was.listeners());
    assertSameInstances(is.routes(), was.routes());
  }

  @Test
  void aChangedEndpointSliceChangesOnlyTheEndpointsOfItsService() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    FleetConfig was =
        translator
            .translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "http", trusted())))
            .fleets()
            .get(FLEET);
    FleetConfig is =
        translator
            .translate(ClusterStateYaml.state(kubeObjects("10.0.1.2", "http", trusted())))
            .fleets()
            .get(FLEET);

    assertSameInstances(is.clusters(), was.clusters());
    assertThat(endpoints(is, "upstream/default/a"))
        .isNotEqualTo(endpoints(was, "upstream/default/a"));
    assertThat(endpoints(is, "service/default/a/80"))
        .isNotEqualTo(endpoints(was, "service/default/a/80"));
    assertThat(endpoints(is, "upstream/default/b")).isSameAs(endpoints(was, "upstream/default/b"));
    assertThat(is.routes()).singleElement().isSameAs(was.routes().get(0));
  }

  @Test
  void aChangedServiceChangesOnlyWhatResolvesThroughIt() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    Translation was =
        translator.translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "http", trusted())));
    Translation is =
        translator.translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "renamed", trusted())));

    FleetConfig before = was.fleets().get(FLEET);
    FleetConfig after = is.fleets().get(FLEET);
    assertThat(endpoints(after, "upstream/default/a").getEndpointsList()).isEmpty();
    assertThat(endpoints(after, "service/default/a/80").getEndpointsList()).isEmpty();
    assertThat(endpoints(after, "upstream/default/b"))
        .isSameAs(endpoints(before, "upstream/default/b"));
    assertThat(cluster(after, "upstream/default/b"))
        .isSameAs(cluster(before, "upstream/default/b"));
    assertThat(is)
        .isEqualTo(
            new Translator(OPTIONS)
                .translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "renamed", trusted()))));
  }

  @Test
  void aChangedConfigMapChangesOnlyTheUpstreamsReadingIt() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    FleetConfig was =
        translator
            .translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "http", trusted())))
            .fleets()
            .get(FLEET);
    Translation broken =
        translator.translate(
            ClusterStateYaml.state(kubeObjects("10.0.1.1", "http", "ca.crt: not a certificate")));
    FleetConfig again =
        translator
            .translate(ClusterStateYaml.state(kubeObjects("10.0.1.1", "http", trusted())))
            .fleets()
            .get(FLEET);

    assertThat(broken.fleets().get(FLEET).clusters())
        .extracting(Cluster::getName)
        .containsExactly("service/default/a/80", "upstream/default/a");
    assertThat(broken.verdicts())
        .filteredOn(v -> v.object().name().equals("b"))
        .singleElement()
        .satisfies(v -> assertThat(v.resolvedRefs().reason()).isEqualTo("InvalidCACertificateRef"));
    assertThat(cluster(broken.fleets().get(FLEET), "upstream/default/a"))
        .isSameAs(cluster(was, "upstream/default/a"));
    assertThat(cluster(again, "upstream/default/b")).isEqualTo(cluster(was, "upstream/default/b"));
  }

  @Test
  void anAllocationChangesOnlyTheEndpointsOfItsUpstream() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    String objects =
        kubeObjects("10.0.1.1", "http", trusted())
            .replace("name: a}\nspec:\n", "name: a}\nspec:\n  allocation: {enabled: true}\n");
    String allocation =
        "---\n"
            + allocation(
                AllocationNames.forEndpoint("a", "10.0.1.1", 8080),
                "default",
                "a",
                "10.0.1.1",
                8080);
    FleetConfig was = translator.translate(ClusterStateYaml.state(objects)).fleets().get(FLEET);
    FleetConfig is =
        translator.translate(ClusterStateYaml.state(objects + allocation)).fleets().get(FLEET);

    assertThat(endpoints(is, "upstream/default/a"))
        .isNotEqualTo(endpoints(was, "upstream/default/a"));
    assertThat(cluster(is, "upstream/default/a")).isSameAs(cluster(was, "upstream/default/a"));
    assertThat(endpoints(is, "upstream/default/b")).isSameAs(endpoints(was, "upstream/default/b"));
    assertThat(endpoints(is, "service/default/a/80"))
        .isSameAs(endpoints(was, "service/default/a/80"));
    assertThat(is.routes()).singleElement().isSameAs(was.routes().get(0));
  }

  @Test
  void aReferenceGrantAddedPermitsAtOnceAndRemovedRevokesAtOnce() {
    IncrementalTranslator translator = new IncrementalTranslator(OPTIONS);
    String objects = kubeObjects("10.0.1.1", "http", trusted(), "shop");
    String grants =
        "---\n"
            + referenceGrant("upstreams", "fairlead.dev", "Upstream", "")
            + "---\n"
            + referenceGrant("routes", "gateway.networking.k8s.io", "HTTPRoute", "name: a");
    String unrelated =
        "---\n" + referenceGrant("elsewhere", "fairlead.dev", "Upstream", "name: other");

    Translation refused = translator.translate(ClusterStateYaml.state(objects));
    Translation unrelatedGrant = translator.translate(ClusterStateYaml.state(objects + unrelated));
    Translation granted = translator.translate(ClusterStateYaml.state(objects + grants));
    Translation revoked = translator.translate(ClusterStateYaml.state(objects + unrelated));

    assertRefused(refused);
    assertThat(unrelatedGrant).isEqualTo(refused);
    assertSameInstances(
        unrelatedGrant.fleets().get(FLEET).clusters(), refused.fleets().get(FLEET).clusters());
    assertThat(unrelatedGrant.fleets().get(FLEET).routes())
        .singleElement()
        .isSameAs(refused.fleets().get(FLEET).routes().get(0));

    assertThat(granted)
        .isEqualTo(new Translator(OPTIONS).translate(ClusterStateYaml.state(objects + grants)));
    assertThat(granted.fleets().get(FLEET).clusters())
        .extracting(Cluster::getName)
        .containsExactly("service/shop/a/80", "upstream/default/a", "upstream/default/b");
    assertThat(
            endpoints(granted.fleets().get(FLEET), "upstream/default/a")
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress()
                .getAddress())
        .isEqualTo("10.0.1.1");
    assertThat(granted.verdicts())
        .allSatisfy(
            verdict -> assertThat(verdict.resolvedRefs().isTrue()).as("%s", verdict).isTrue());
    assertThat(cluster(granted.fleets().get(FLEET), "upstream/default/b"))
        .isSameAs(cluster(refused.fleets().get(FLEET), "upstream/default/b"));

    assertThat(revoked).isEqualTo(refused);
    assertRefused(revoked);
  }

  /**
   * Upstream {@code a} and the route of {@link #kubeObjects} refused their Service in namespace
   * shop.
   */
  private static void assertRefused(Translation translation) {
    assertThat(translation.fleets().get(FLEET).clusters())
        .extracting(Cluster::getName)
        .containsExactly("upstream/default/b");
    assertThat(translation.verdicts())
        .filteredOn(v -> v.object().name().equals("a"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.accepted().isTrue()).isTrue();
              assertThat(v.resolvedRefs().reason()).isEqualTo("RefNotPermitted");
              assertThat(v.resolvedRefs().message())
                  .contains("spec.kube.namespace", "ReferenceGrant in namespace shop");
            });
    assertThat(translation.verdicts())
        .filteredOn(v -> v.object().name().equals("web"))
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.resolvedRefs().reason()).isEqualTo("BackendNotFound");
              assertThat(v.resolvedRefs().message())
                  .contains(
                      "spec.rules[0].backendRefs[0]: Upstream default/a "
                          + "has no cluster (RefNotPermitted)",
                      "spec.rules[1].backendRefs[0].namespace: Service shop/a");
            });
  }

  /**
   * A ReferenceGrant {@code shop/name} from {@code group/kind} in namespace default to Services
   * ({@code toName}: empty, or {@code name: …}).
   */
  private static String referenceGrant(String name, String group, String kind, String toName) {
    return """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: %s, namespace: shop}
        spec:
          from: [{group: %s, kind: %s, namespace: default}]
          to: [{group: "", kind: Service%s}]
        """
        .formatted(name, group, kind, toName.isEmpty() ? "" : ", " + toName);
  }

  private static void assertSameInstances(List<?> actual, List<?> expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      assertThat(actual.get(i)).as("element %d", i).isSameAs(expected.get(i));
    }
  }

  private static Cluster cluster(FleetConfig fleet, String name) {
    return fleet.clusters().stream()
        .filter(c -> c.getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static ClusterLoadAssignment endpoints(FleetConfig fleet, String name) {
    return fleet.endpoints().stream()
        .filter(e -> e.getClusterName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private static String allocation(
      String name, String namespace, String upstream, String address, int port) {
    return "apiVersion: fairlead.dev/v1alpha1\nkind: Allocation\nmetadata: {name: "
        + name
        + ", namespace: "
        + namespace
        + "}\nspec: {upstream: "
        + upstream
        + ", endpoint: {address: "
        + address
        + ", port: "
        + port
        + "}}\n";
  }

  private static HasMetadata parse(String yaml) {
    return ClusterStateYaml.objects(yaml).get(0);
  }

  /**
   * Gateway {@code default/edge}, and five static Upstreams {@code u0}–{@code u4}, each with its
   * own route.
   */
  private static ClusterState state(Function<Integer, String> upstream) {
    StringBuilder yaml = new StringBuilder(GATEWAY);
    for (int i = 0; i < 5; i++) {
      yaml.append("---\n")
          .append(upstream.apply(i))
          .append("---\n")
          .append(
              route(
                  "r" + i,
                  """
          - matches: [{path: {type: PathPrefix, value: /u%d}}]
            backendRefs: [{group: fairlead.dev, kind: Upstream, name: u%d}]
          """
                      .formatted(i, i)));
    }
    return ClusterStateYaml.state(yaml.toString());
  }

  /** A route {@code default/name} attached to the Gateway, with {@code rules} (YAML list items). */
  private static String route(String name, String rules) {
    return "kind: HTTPRoute\napiVersion: gateway.networking.k8s.io/v1\nmetadata: {name: "
        + name
        + ", namespace: default}\nspec:\n  parentRefs: [{name: edge}]\n  rules:\n"
        + rules.indent(2);
  }

  private static String staticUpstream(int index, String address) {
    return """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: u%d, namespace: default}
        spec:
          static: {hosts: [{address: %s, port: 80}]}
        """
        .formatted(index, address);
  }

  /**
   * Upstream {@code a} on Service {@code a} (whose slice holds {@code address}; its port is named
   * {@code portName}, and the slice's port {@code http}), a route to it and to the Service
   * directly, and Upstream {@code b}, static with TLS trusting the CA bundle of ConfigMap {@code
   * cas} ({@code data}, YAML lines under {@code data:}); all in namespace default.
   */
  private static String kubeObjects(String address, String portName, String data) {
    return kubeObjects(address, portName, data, "default");
  }

  /**
   * {@link #kubeObjects(String, String, String)} with Service {@code a} and its slice in {@code
   * serviceNamespace}.
   */
  private static String kubeObjects(
      String address, String portName, String data, String serviceNamespace) {
    return GATEWAY
        + "---\n"
        + route(
            "web",
            """
        - matches: [{path: {type: PathPrefix, value: /a}}]
          backendRefs: [{group: fairlead.dev, kind: Upstream, name: a}]
        - matches: [{path: {type: PathPrefix, value: /service}}]
          backendRefs: [{kind: Service, name: a, namespace: %s, port: 80}]
        - matches: [{path: {type: PathPrefix, value: /b}}]
          backendRefs: [{group: fairlead.dev, kind: Upstream, name: b}]
        """
                .formatted(serviceNamespace))
        + """
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {namespace: default, name: a}
        spec:
          kube: {serviceName: a, namespace: %s, port: 80}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: a, namespace: %s}
        spec:
          ports: [{name: %s, port: 80}]
        ---
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: a-1
          namespace: %s
          labels: {kubernetes.io/service-name: a}
        addressType: IPv4
        ports: [{name: http, port: 8080}]
        endpoints: [{addresses: [%s]}]
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: b, namespace: default}
        spec:
          static: {hosts: [{address: 10.0.2.1, port: 443}]}
          tls:
            caBundleRef: {configMapName: cas}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: cas, namespace: default}
        data:
        %s
        """
            .formatted(
                serviceNamespace,
                serviceNamespace,
                portName,
                serviceNamespace,
                address,
                data.indent(2).stripTrailing());
  }

  /** ConfigMap data holding a CA bundle under the default key. */
  private static String trusted() {
    return "ca.crt: |\n" + pem.indent(4);
  }

  /**
   * Objects of every kind the translator reads, drawn from a small set of names so that they refer
   * to each other: a slot ({@code Kind/namespace/name}) holds at most one object, and each draw
   * gives it random content.
   */
  private static final class RandomObjects {

    private static final List<String> KINDS =
        List.of(
            "Upstream",
            "Service",
            "EndpointSlice",
            "ConfigMap",
            "Allocation",
            "GatewayClass",
            "Gateway",
            "HTTPRoute",
            "ReferenceGrant");
    private static final List<String> ADDRESSES = List.of("10.0.0.1", "10.0.0.2", "10.0.0.3");

    private final Random random;

    RandomObjects(Random random) {
      this.random = random;
    }

    String slot() {
      String kind = pick(KINDS);
      String namespace = random.nextInt(8) == 0 ? "other" : "default";
      if (kind.equals("GatewayClass")) {
        return kind + "//class" + random.nextInt(2);
      }
      return kind
          + "/"
          + namespace
          + "/"
          + kind.toLowerCase(java.util.Locale.ROOT)
          + random.nextInt(kind.equals("Gateway") ? 2 : 4);
    }

    String object(String slot) {
      String[] parts = slot.split("/");
      String metadata =
          "metadata: {name: %s, namespace: %s, uid: %s, generation: %d, creationTimestamp: '%s'"
              .formatted(
                  parts[2],
                  parts[1],
                  "uid-" + random.nextInt(2),
                  1 + random.nextInt(2),
                  pick(List.of("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z")));
      return switch (parts[0]) {
        case "Upstream" -> upstream(metadata + "}");
        case "Service" -> service(metadata + "}");
        case "EndpointSlice" -> slice(metadata);
        case "ConfigMap" -> configMap(metadata + "}");
        case "Allocation" -> allocation(parts[2], parts[1]);
        case "GatewayClass" -> gatewayClass(parts[2]);
        case "Gateway" -> gateway(metadata + "}");
        case "ReferenceGrant" -> referenceGrant(metadata + "}");
        default -> route(metadata + "}");
      };
    }

    private String upstream(String metadata) {
      StringBuilder spec = new StringBuilder();
      switch (random.nextInt(4)) {
        case 0 ->
            spec.append("  static: {hosts: [{address: ")
                .append(pick(ADDRESSES))
                .append(", port: 80}]}\n");
        case 1 -> spec.append("  static: {hosts: [{address: backend.example, port: 80}]}\n");
        case 2 ->
            spec.append("  kube: {serviceName: service")
                .append(random.nextInt(4))
                .append(", port: ")
                .append(pick(List.of(80, 8080)))
                .append(otherNamespace())
                .append("}\n");
        default -> spec.append("  protocol: HTTP2\n");
      }
      if (random.nextInt(3) == 0) {
        spec.append("  tls: {caBundleRef: {configMapName: configmap")
            .append(random.nextInt(4))
            .append("}}\n");
      }
      if (random.nextBoolean()) {
        spec.append("  allocation: {enabled: true}\n");
      }
      if (random.nextBoolean()) {
        spec.append("  connectTimeout: ").append(pick(List.of("1s", "2s"))).append('\n');
      }
      return "apiVersion: fairlead.dev/v1alpha1\nkind: Upstream\n" + metadata + "\nspec:\n" + spec;
    }

    private String service(String metadata) {
      List<String> ports = new ArrayList<>();
      if (random.nextBoolean()) {
        ports.add("{name: http, port: 80}");
      }
      if (random.nextBoolean()) {
        ports.add(
            "{name: grpc, port: 8080, appProtocol: "
                + pick(List.of("kubernetes.io/h2c", "http"))
                + "}");
      }
      return "apiVersion: v1\nkind: Service\n"
          + metadata
          + "\nspec:\n  ports: ["
          + String.join(", ", ports)
          + "]\n";
    }

    private String slice(String metadata) {
      List<String> endpoints = new ArrayList<>();
      for (int i = random.nextInt(4); i > 0; i--) {
        endpoints.add(
            "{addresses: ["
                + pick(ADDRESSES)
                + "], zone: "
                + pick(List.of("a", "b"))
                + ", conditions: {ready: "
                + (random.nextInt(4) != 0)
                + "}, targetRef: {kind: Pod, name: pod"
                + random.nextInt(3)
                + "}}");
      }
      return "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
          + metadata
          + ", labels: {kubernetes.io/service-name: service"
          + random.nextInt(4)
          + "}}\naddressType: IPv4\n"
          + "ports: [{name: "
          + pick(List.of("http", "grpc"))
          + ", port: "
          + pick(List.of(8080, 9090))
          + "}]\n"
          + "endpoints: ["
          + String.join(", ", endpoints)
          + "]\n";
    }

    private String configMap(String metadata) {
      String data =
          switch (random.nextInt(3)) {
            case 0 -> "  ca.crt: |\n" + pem.indent(4);
            case 1 -> "  ca.crt: not a certificate\n";
            default -> "  other: x\n";
          };
      return "apiVersion: v1\nkind: ConfigMap\n" + metadata + "\ndata:\n" + data;
    }

    private String allocation(String name, String namespace) {
      String upstream = "upstream" + random.nextInt(4);
      String address = pick(ADDRESSES);
      int port = pick(List.of(80, 80, 8080, 9090));
      String allocationName =
          random.nextInt(4) == 0 ? name : AllocationNames.forEndpoint(upstream, address, port);
      return IncrementalTranslatorTest.allocation(
          allocationName, namespace, upstream, address, port);
    }

    /** A class of Fairlead's, accepted or not (with a parametersRef), or another controller's. */
    private String gatewayClass(String name) {
      String spec =
          switch (random.nextInt(3)) {
            case 0 -> "{controllerName: fairlead.dev/gateway-controller}";
            case 1 ->
                "{controllerName: fairlead.dev/gateway-controller, parametersRef: {group: fairlead.dev, "
                    + "kind: GatewayParameters, name: p}}";
            default -> "{controllerName: example.com/other}";
          };
      return "apiVersion: gateway.networking.k8s.io/v1\nkind: GatewayClass\nmetadata: {name: "
          + name
          + ", uid: uid-"
          + random.nextInt(2)
          + ", generation: "
          + (1 + random.nextInt(2))
          + "}\nspec: "
          + spec
          + "\n";
    }

    private String gateway(String metadata) {
      List<String> listeners = new ArrayList<>();
      listeners.add("{name: http, protocol: HTTP, port: " + pick(List.of(80, 8080)) + "}");
      if (random.nextBoolean()) {
        listeners.add(
            "{name: named, protocol: HTTP, port: 80, hostname: "
                + pick(List.of("a.example", "'*.example'"))
                + ", allowedRoutes: {namespaces: {from: "
                + pick(List.of("All", "Same"))
                + "}}}");
      }
      return "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n"
          + metadata
          + "\nspec:\n  gatewayClassName: class"
          + random.nextInt(2)
          + "\n  listeners: ["
          + String.join(", ", listeners)
          + "]\n";
    }

    private String route(String metadata) {
      StringBuilder spec =
          new StringBuilder("  parentRefs: [{name: gateway")
              .append(random.nextInt(2))
              .append(random.nextBoolean() ? ", namespace: default" : "")
              .append(random.nextInt(3) == 0 ? ", sectionName: named" : "")
              .append("}]\n");
      if (random.nextBoolean()) {
        spec.append("  hostnames: [")
            .append(pick(List.of("a.example", "b.example", "x.a.example")))
            .append("]\n");
      }
      spec.append("  rules:\n");
      for (int rule = 1 + random.nextInt(2); rule > 0; rule--) {
        spec.append("  - matches: [{path: {type: PathPrefix, value: /")
            .append(pick(List.of("a", "b", "c")))
            .append("}}]\n    backendRefs: [")
            .append(
                random.nextBoolean()
                    ? "{group: fairlead.dev, kind: Upstream, name: upstream"
                        + random.nextInt(4)
                        + otherNamespace()
                        + "}"
                    : "{kind: Service, name: service"
                        + random.nextInt(4)
                        + ", port: "
                        + pick(List.of(80, 8080))
                        + otherNamespace()
                        + "}")
            .append("]\n");
      }
      return "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
          + metadata
          + "\nspec:\n"
          + spec;
    }

    /**
     * Now and then a reference to namespace {@code other} or {@code default}, which may cross
     * namespaces.
     */
    private String otherNamespace() {
      return random.nextInt(4) == 0 ? ", namespace: " + pick(List.of("other", "default")) : "";
    }

    /**
     * A grant to Services or Upstreams, from Upstreams or HTTPRoutes of either namespace, for any
     * name or one.
     */
    private String referenceGrant(String metadata) {
      String from =
          pick(
              List.of(
                  "fairlead.dev, kind: Upstream", "gateway.networking.k8s.io, kind: HTTPRoute"));
      String to =
          pick(
              List.of(
                  "'', kind: Service, name: service",
                  "fairlead.dev, kind: Upstream, name: upstream"));
      return "apiVersion: gateway.networking.k8s.io/v1beta1\nkind: ReferenceGrant\n"
          + metadata
          + "\nspec:\n"
          + "  from: [{group: "
          + from
          + ", namespace: "
          + pick(List.of("other", "default"))
          + "}]\n"
          + "  to: [{group: "
          + to
          + random.nextInt(4)
          + "}, {group: '', kind: "
          + pick(List.of("Service", "Secret"))
          + "}]\n";
    }

    private <T> T pick(List<T> values) {
      return values.get(random.nextInt(values.size()));
    }
  }
}
