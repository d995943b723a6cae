package dev.fairlead.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.api.v1alpha1.CaBundleRef;
import dev.fairlead.api.v1alpha1.CircuitBreakers;
import dev.fairlead.api.v1alpha1.HealthCheck;
import dev.fairlead.api.v1alpha1.KubeService;
import dev.fairlead.api.v1alpha1.LoadBalancer;
import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.OutlierDetection;
import dev.fairlead.api.v1alpha1.Protocol;
import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.StaticHosts;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.v1alpha1.UpstreamTls;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.StatusCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CRD generated from the {@code v1alpha1} types, installed into a real kube-apiserver, accepts
 * valid Upstreams unchanged, rejects each invalid one with a 422 that names the offending field,
 * keeps status behind the status subresource, and gives {@code kubectl get upstreams} (and {@code
 * us}) the columns people read.
 */
class UpstreamCrdRealApiServerIT {

  /**
   * Where crd-generator-maven-plugin writes the CRD, inside target/classes; the test applies
   * exactly that file.
   */
  static final String GENERATED_CRD = "META-INF/fabric8/upstreams.fairlead.dev-v1.yml";

  private static final String RULES_NOT_CHECKED = "some validation rules were not checked";

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private String namespace;

  @BeforeAll
  static void installGeneratedCrd() throws IOException {
    URL crd = UpstreamCrdRealApiServerIT.class.getClassLoader().getResource(GENERATED_CRD);
    assertThat(crd).as("generated CRD on the classpath").isNotNull();
    try (InputStream in = crd.openStream()) {
      Crds.apply(API_SERVER.client(), in);
    }
  }

  @BeforeEach
  void createNamespace() {
    namespace =
        API_SERVER.createNamespace("upstreams-" + UUID.randomUUID().toString().substring(0, 8));
  }

  static Stream<UpstreamSpec> validSpecs() {
    return Stream.of(
        kubeSpec(new KubeService("checkout", null, 8080)),
        UpstreamSpec.builder()
            .staticHosts(new StaticHosts(List.of(new StaticHost("10.0.0.7", 8080, null))))
            .build(),
        everyFieldSet());
  }

  @ParameterizedTest
  @MethodSource("validSpecs")
  void validUpstreamReadsBackEqual(UpstreamSpec spec) {
    Upstream created = upstreams().resource(upstream("valid", spec)).create();
    Upstream read = upstreams().withName("valid").get();

    assertThat(created.getSpec()).isEqualTo(spec);
    assertThat(read.getSpec()).isEqualTo(spec);
    assertThat(read.getStatus()).isNull();
    assertThat(read.getMetadata().getGeneration()).isEqualTo(1L);
  }

  /**
   * Each case: what is wrong, the spec as YAML, the field the API server must name, and what it
   * must say.
   */
  static Stream<Arguments> invalidSpecs() {
    return Stream.of(
        invalid(
            "both kube and static",
            """
            kube: {serviceName: checkout, port: 8080}
            static: {hosts: [{address: 10.0.0.7, port: 8080}]}
            """,
            "spec",
            "exactly one of spec.kube and spec.static must be set"),
        invalid(
            "neither kube nor static",
            """
            connectTimeout: 5s
            """,
            "spec",
            "exactly one of spec.kube and spec.static must be set"),
        invalid(
            "kube with an empty serviceName",
            """
            kube: {serviceName: "", port: 8080}
            """,
            "spec.kube.serviceName",
            "at least 1 chars long"),
        invalid(
            "kube port 0",
            """
            kube: {serviceName: checkout, port: 0}
            """,
            "spec.kube.port",
            "greater than or equal to 1"),
        invalid(
            "kube port 70000",
            """
            kube: {serviceName: checkout, port: 70000}
            """,
            "spec.kube.port",
            "less than or equal to 65535"),
        invalid(
            "static host port 0",
            """
            static: {hosts: [{address: 10.0.0.7, port: 0}]}
            """,
            "spec.static.hosts[0].port",
            "greater than or equal to 1"),
        invalid(
            "static host port 70000",
            """
            static: {hosts: [{address: 10.0.0.7, port: 8080}, {address: 10.0.0.8, port: 70000}]}
            """,
            "spec.static.hosts[1].port",
            "less than or equal to 65535"),
        invalid(
            "weight 0",
            """
            static: {hosts: [{address: 10.0.0.7, port: 8080, weight: 0}]}
            """,
            "spec.static.hosts[0].weight",
            "greater than or equal to 1"),
        invalid(
            "weight 1001",
            """
            static: {hosts: [{address: 10.0.0.7, port: 8080, weight: 1001}]}
            """,
            "spec.static.hosts[0].weight",
            "less than or equal to 1000"),
        invalid(
            "static with an empty hosts list",
            """
            static: {hosts: []}
            """,
            "spec.static.hosts",
            "at least 1 items"),
        invalid(
            "connectTimeout not in Go syntax",
            """
            kube: {serviceName: checkout, port: 8080}
            connectTimeout: 5 seconds
            """,
            "spec.connectTimeout",
            "should match"),
        invalid(
            "connectTimeout 0s",
            """
            kube: {serviceName: checkout, port: 8080}
            connectTimeout: 0s
            """,
            "spec.connectTimeout",
            "must be a duration greater than 0s and at most 1h"),
        invalid(
            "connectTimeout 2h",
            """
            kube: {serviceName: checkout, port: 8080}
            connectTimeout: 2h
            """,
            "spec.connectTimeout",
            "must be a duration greater than 0s and at most 1h"),
        invalid(
            "healthCheck path without a leading slash",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: healthz}]
            """,
            "spec.healthChecks[0].path",
            "should match"),
        invalid(
            "two healthChecks",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz}, {path: /ready}]
            """,
            "spec.healthChecks",
            "Too many: 2: must have at most 1 item"),
        invalid(
            "healthCheck without a path",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{interval: 5s}]
            """,
            "spec.healthChecks[0].path",
            "Required value"),
        invalid(
            "healthCheck timeout longer than interval",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz, interval: 2s, timeout: 3s}]
            """,
            "spec.healthChecks[0].timeout",
            "timeout 3s is longer than interval 2s"),
        invalid(
            "healthCheck timeout longer than the default interval",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz, timeout: 10s}]
            """,
            "spec.healthChecks[0].timeout",
            "timeout 10s is longer than interval 5s"),
        invalid(
            "healthCheck interval shorter than the default timeout",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz, interval: 500ms}]
            """,
            "spec.healthChecks[0].timeout",
            "timeout 1s is longer than interval 500ms"),
        invalid(
            "healthCheck interval not in Go syntax",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz, interval: 5 s}]
            """,
            "spec.healthChecks[0].interval",
            "should match"),
        invalid(
            "healthCheck interval 2h",
            """
            kube: {serviceName: checkout, port: 8080}
            healthChecks: [{path: /healthz, interval: 2h, timeout: 1s}]
            """,
            "spec.healthChecks[0].interval",
            "must be a duration greater than 0s and at most 1h"),
        invalid(
            "unknown load-balancing policy",
            """
            kube: {serviceName: checkout, port: 8080}
            loadBalancer: {policy: FASTEST}
            """,
            "spec.loadBalancer.policy",
            "Unsupported value: \"FASTEST\""),
        invalid(
            "unknown protocol",
            """
            kube: {serviceName: checkout, port: 8080}
            protocol: HTTP3
            """,
            "spec.protocol",
            "Unsupported value: \"HTTP3\""),
        invalid(
            "maxEjectionPercent 101",
            """
            kube: {serviceName: checkout, port: 8080}
            outlierDetection: {maxEjectionPercent: 101}
            """,
            "spec.outlierDetection.maxEjectionPercent",
            "less than or equal to 100"),
        invalid(
            "outlierDetection baseEjectionTime 0s",
            """
            kube: {serviceName: checkout, port: 8080}
            outlierDetection: {baseEjectionTime: 0s}
            """,
            "spec.outlierDetection.baseEjectionTime",
            "must be a duration greater than 0s and at most 1h"),
        invalid(
            "outlierDetection interval 61m",
            """
            kube: {serviceName: checkout, port: 8080}
            outlierDetection: {interval: 61m}
            """,
            "spec.outlierDetection.interval",
            "must be a duration greater than 0s and at most 1h"),
        invalid(
            "caBundleRef without configMapName",
            """
            kube: {serviceName: checkout, port: 8080}
            tls: {caBundleRef: {key: ca.crt}}
            """,
            "spec.tls.caBundleRef.configMapName",
            "Required value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidSpecs")
  void invalidUpstreamIsRejectedNamingTheField(
      String what, String specYaml, String field, String reason) {
    GenericKubernetesResource object =
        Serialization.unmarshal(
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: invalid
        spec:
        """
                + specYaml.indent(2),
            GenericKubernetesResource.class);

    assertThatThrownBy(
            () ->
                API_SERVER
                    .client()
                    .genericKubernetesResources("fairlead.dev/v1alpha1", "Upstream")
                    .inNamespace(namespace)
                    .resource(object)
                    .create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).as(e.getMessage()).isEqualTo(422);
              assertThat(e.getStatus().getMessage()).contains(field + ": ").contains(reason);
              // After a Required or Unsupported value the API server skips the CEL rules and says
              // so in one more cause, without a field. Apart from that: one cause, about the
              // offending field.
              assertThat(e.getStatus().getDetails().getCauses())
                  .filteredOn(cause -> !cause.getMessage().contains(RULES_NOT_CHECKED))
                  .extracting(StatusCause::getField)
                  .containsExactly(field);
            });
  }

  @Test
  void statusIsWrittenThroughTheSubresourceAndOnlySpecChangesBumpTheGeneration() {
    upstreams()
        .resource(upstream("checkout-8080", kubeSpec(new KubeService("checkout", null, 8080))))
        .create();
    UpstreamStatus status = new UpstreamStatus(List.of(accepted(1L)), 1L, 3);

    Upstream withStatus = upstreams().withName("checkout-8080").get();
    withStatus.setStatus(status);
    Upstream afterStatusWrite = upstreams().resource(withStatus).updateStatus();

    assertThat(afterStatusWrite.getStatus()).isEqualTo(status);
    assertThat(upstreams().withName("checkout-8080").get().getStatus()).isEqualTo(status);
    assertThat(afterStatusWrite.getMetadata().getGeneration()).isEqualTo(1L);

    Upstream changed = upstreams().withName("checkout-8080").get();
    changed.setSpec(kubeSpec(new KubeService("checkout", null, 8443)));
    changed.setStatus(new UpstreamStatus(List.of(), 99L, 0));
    Upstream afterSpecWrite = upstreams().resource(changed).update();

    assertThat(afterSpecWrite.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(afterSpecWrite.getSpec().kube().port()).isEqualTo(8443);
    assertThat(afterSpecWrite.getStatus())
        .as("status ignored by a write of the main resource")
        .isEqualTo(status);

    Upstream observed = upstreams().withName("checkout-8080").get();
    observed.setStatus(new UpstreamStatus(List.of(accepted(2L)), 2L, 4));
    Upstream afterSecondStatusWrite = upstreams().resource(observed).updateStatus();

    assertThat(afterSecondStatusWrite.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(afterSecondStatusWrite.getStatus().observedGeneration()).isEqualTo(2L);
    assertThat(afterSecondStatusWrite.getSpec()).isEqualTo(afterSpecWrite.getSpec());
  }

  @Test
  void kubectlShowsNameAcceptedProgrammedEndpointsAgeUnderTheNameAndTheShortName() {
    upstreams()
        .resource(upstream("checkout-8080", kubeSpec(new KubeService("checkout", null, 8080))))
        .create();
    Upstream withStatus = upstreams().withName("checkout-8080").get();
    withStatus.setStatus(new UpstreamStatus(List.of(accepted(1L), programmed(1L)), 1L, 3));
    upstreams().resource(withStatus).updateStatus();
    upstreams()
        .resource(
            upstream(
                "legacy",
                UpstreamSpec.builder()
                    .staticHosts(new StaticHosts(List.of(new StaticHost("10.0.0.7", 8080, null))))
                    .build()))
        .create();

    for (String resource : List.of("upstreams", "us")) {
      String table =
          API_SERVER.kubectl().run("get", resource, "-n", namespace).requireSuccess().stdout();
      List<String> lines = table.lines().toList();

      assertThat(List.of(lines.get(0).trim().split("\\s+")))
          .as(resource)
          .containsExactly("NAME", "ACCEPTED", "PROGRAMMED", "ENDPOINTS", "AGE");
      assertThat(lines.subList(1, lines.size()))
          .as(resource)
          .extracting(line -> cells(lines.get(0), line))
          .satisfiesExactly(
              checkout -> assertThat(checkout).startsWith("checkout-8080", "True", "True", "3"),
              legacy -> assertThat(legacy).startsWith("legacy", "", "", ""))
          .allSatisfy(row -> assertThat(row.get(4)).as("AGE").matches("[0-9]+[smhd].*"));
    }
  }

  /**
   * The cells of one line of a kubectl table, cut where the header's columns start; an empty cell
   * is "".
   */
  private static List<String> cells(String header, String line) {
    List<Integer> starts = new ArrayList<>();
    Matcher column = Pattern.compile("\\S+").matcher(header);
    while (column.find()) {
      starts.add(column.start());
    }
    List<String> cells = new ArrayList<>();
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? Math.min(starts.get(i + 1), line.length()) : line.length();
      cells.add(starts.get(i) < end ? line.substring(starts.get(i), end).trim() : "");
    }
    return cells;
  }

  private NonNamespaceOperation<Upstream, KubernetesResourceList<Upstream>, Resource<Upstream>>
      upstreams() {
    return API_SERVER.client().resources(Upstream.class).inNamespace(namespace);
  }

  private Upstream upstream(String name, UpstreamSpec spec) {
    Upstream upstream = new Upstream();
    upstream.getMetadata().setName(name);
    upstream.getMetadata().setNamespace(namespace);
    upstream.setSpec(spec);
    return upstream;
  }

  private static UpstreamSpec kubeSpec(KubeService kube) {
    return UpstreamSpec.builder().kube(kube).build();
  }

  private static UpstreamSpec everyFieldSet() {
    return UpstreamSpec.builder()
        .kube(new KubeService("checkout", "shop", 8080))
        .connectTimeout("250ms")
        .loadBalancer(new LoadBalancer(LoadBalancerPolicy.RING_HASH))
        .circuitBreakers(new CircuitBreakers(100, 50, 200, 0))
        .outlierDetection(new OutlierDetection(5, "10s", "1m30s", 100))
        .healthChecks(List.of(new HealthCheck("/healthz", "1h", "1h", 1, 100)))
        .protocol(Protocol.HTTP2)
        .tls(new UpstreamTls("checkout.shop.svc", new CaBundleRef("shop-ca", "bundle.pem")))
        .build();
  }

  private static Condition accepted(long generation) {
    return new ConditionBuilder()
        .withType("Accepted")
        .withStatus("True")
        .withReason("Accepted")
        .withMessage("Translated into Envoy configuration.")
        .withObservedGeneration(generation)
        .withLastTransitionTime("2025-01-02T03:04:05Z")
        .build();
  }

  private static Condition programmed(long generation) {
    return new ConditionBuilder()
        .withType("Programmed")
        .withStatus("True")
        .withReason("Programmed")
        .withMessage("Every proxy holds the configuration.")
        .withObservedGeneration(generation)
        .withLastTransitionTime("2025-01-02T03:04:05Z")
        .build();
  }

  private static Arguments invalid(String what, String specYaml, String field, String reason) {
    return Arguments.of(what, specYaml, field, reason);
  }
}
