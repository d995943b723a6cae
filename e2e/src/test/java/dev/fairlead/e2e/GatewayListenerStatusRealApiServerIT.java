package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.allocator.AllocatorSecurity;
import dev.fairlead.app.AllocatorOptions;
import dev.fairlead.app.KubernetesFairlead;
import dev.fairlead.app.KubernetesOptions;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.RealApiServer;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import dev.fairlead.tls.ServerTransport;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ListenerStatus;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteGroupKind;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-listener Gateway status written by Fairlead in Kubernetes mode to a real API server: each
 * listener's {@code Accepted}, {@code Conflicted}, {@code ResolvedRefs}, {@code Programmed}, {@code
 * supportedKinds} and {@code attachedRoutes}, for an HTTPS listener whose certificate is in another
 * namespace by a ReferenceGrant (and {@code RefNotPermitted} once the grant is deleted), route
 * kinds Fairlead does not support (some or all of a listener's: an empty {@code supportedKinds},
 * which the schema requires present, is written), an unsupported protocol and a namespace selector.
 */
class GatewayListenerStatusRealApiServerIT {

  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final TestCa CA = TestCa.create("listener-status");

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private KubernetesClient client;
  private KubernetesFairlead fairlead;

  @AfterEach
  void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Test
  void listenersGetTheirOwnConditionsAndADeletedGrantRevokesTheCertificate() {
    E2eObjects.installCrds(API_SERVER);
    API_SERVER.createNamespace("certs");
    API_SERVER.apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: web}}
        """);
    TestCertificate certificate =
        CA.issue("CN=secure.example.com", "EC", List.of(), List.of("secure.example.com"));
    API_SERVER.apply(
        """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/tls
        metadata: {name: secure-cert, namespace: certs}
        data: {tls.crt: %s, tls.key: %s}
        """
            .formatted(base64(certificate.certificatePem()), base64(certificate.privateKeyPem())));
    API_SERVER.apply(
        """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: gateways, namespace: certs}
        spec:
          from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: default}]
          to: [{group: "", kind: Secret}]
        """);
    API_SERVER.apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: fairlead
          listeners:
          - name: secure
            protocol: HTTPS
            port: 8443
            hostname: secure.example.com
            tls: {certificateRefs: [{name: secure-cert, namespace: certs}]}
          - name: mixed
            protocol: HTTP
            port: 8080
            allowedRoutes:
              kinds: [{kind: HTTPRoute}, {kind: TLSRoute}]
          - name: selected
            protocol: HTTP
            port: 8081
            allowedRoutes:
              namespaces:
                from: Selector
                selector: {matchLabels: {team: web}}
          - {name: raw, protocol: TCP, port: 9000}
          - name: tls-only
            protocol: HTTP
            port: 8082
            allowedRoutes:
              kinds: [{kind: TLSRoute}]
        """);
    API_SERVER.apply(
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: shop}
        spec:
          parentRefs: [{name: edge, namespace: default, sectionName: selected}]
          rules:
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
        """);
    startFairlead();

    await("every listener has a status")
        .atMost(BOUND)
        .ignoreExceptions()
        .until(
            () ->
                listeners().size() == 5
                    && condition("raw", "Accepted").getReason().equals("UnsupportedProtocol")
                    && listener("selected").getAttachedRoutes() == 1);

    assertThat(describe("secure"))
        .containsExactly(
            "Accepted=True/Accepted",
            "Conflicted=False/NoConflicts",
            "ResolvedRefs=True/ResolvedRefs",
            "Programmed=True/Programmed");
    assertThat(describe("mixed"))
        .contains("ResolvedRefs=False/InvalidRouteKinds", "Programmed=True/Programmed");
    assertThat(listener("mixed").getSupportedKinds())
        .containsExactly(new RouteGroupKind("gateway.networking.k8s.io", "HTTPRoute"));
    assertThat(describe("tls-only"))
        .contains("ResolvedRefs=False/InvalidRouteKinds", "Programmed=False/Invalid");
    assertThat(listener("tls-only").getSupportedKinds()).isEmpty();
    assertThat(describe("raw"))
        .contains("Accepted=False/UnsupportedProtocol", "Programmed=False/Invalid");
    assertThat(condition("raw", "Accepted").getMessage())
        .startsWith("spec.listeners[3] (raw).protocol:");
    assertThat(listener("raw").getSupportedKinds()).isEmpty();
    assertThat(describe("selected")).contains("Programmed=True/Programmed");
    assertThat(gatewayCondition("Accepted"))
        .satisfies(
            accepted -> {
              assertThat(accepted.getStatus()).isEqualTo("True");
              assertThat(accepted.getReason()).isEqualTo("ListenersNotValid");
            });

    client.resources(ReferenceGrant.class).inNamespace("certs").withName("gateways").delete();

    await("the deleted grant revokes the certificate")
        .atMost(BOUND)
        .ignoreExceptions()
        .until(() -> condition("secure", "ResolvedRefs").getReason().equals("RefNotPermitted"));
    assertThat(describe("secure"))
        .contains("ResolvedRefs=False/RefNotPermitted", "Programmed=False/Invalid");
    assertThat(condition("secure", "ResolvedRefs").getMessage())
        .startsWith(
            "spec.listeners[0] (secure).tls.certificateRefs[0]: Secret certs/secure-cert is in another "
                + "namespace, which needs a ReferenceGrant in namespace certs");
  }

  private void startFairlead() {
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
                Map.of(),
                false,
                new CoalescingDelay(Duration.ofMillis(50), Duration.ofMillis(500)),
                AllocatorOptions.loopback(AllocatorSecurity.plaintext())),
            client,
            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  private static Gateway gateway() {
    return API_SERVER
        .client()
        .resources(Gateway.class)
        .inNamespace("default")
        .withName("edge")
        .get();
  }

  private static List<ListenerStatus> listeners() {
    return Optional.ofNullable(gateway().getStatus()).map(s -> s.getListeners()).orElse(List.of());
  }

  private static ListenerStatus listener(String name) {
    return listeners().stream().filter(l -> l.getName().equals(name)).findFirst().orElseThrow();
  }

  private static Condition condition(String listener, String type) {
    return listener(listener).getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static List<String> describe(String listener) {
    return listener(listener).getConditions().stream()
        .map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
        .toList();
  }

  private static Condition gatewayCondition(String type) {
    return gateway().getStatus().getConditions().stream()
        .filter(c -> c.getType().equals(type))
        .findFirst()
        .orElseThrow();
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }
}
