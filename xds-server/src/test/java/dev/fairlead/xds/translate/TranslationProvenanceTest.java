package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which objects each Envoy resource came from, and ready endpoint counts: what status reporting
 * needs.
 */
class TranslationProvenanceTest {

  private final Translator translator = new Translator(new TranslatorOptions("127.0.0.1"));

  @Test
  void everyResourceNamesTheObjectsItWasMadeFrom() {
    Translation translation =
        translator.translate(
            ClusterStateYaml.state(
                ClusterStateYaml.FAIRLEAD_CLASS
                    + """
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: blue, namespace: default}
        spec:
          static: {hosts: [{address: 10.0.0.1, port: 80}, {address: 10.0.0.2, port: 80}]}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: cart, namespace: default}
        spec:
          ports: [{name: http, port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge, namespace: default}
        spec:
          gatewayClassName: fairlead
          listeners: [{name: http, port: 80, protocol: HTTP}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web, namespace: default}
        spec:
          parentRefs: [{name: edge}]
          hostnames: [shop.test]
          rules:
          - matches: [{path: {type: PathPrefix, value: /cart}}]
            backendRefs: [{kind: Service, name: cart, port: 80}]
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: blue}]
        """));

    assertThat(translation.producersOf("default/edge", "upstream/default/blue"))
        .containsExactly("Upstream default/blue");
    assertThat(translation.producersOf("default/edge", "service/default/cart/80"))
        .containsExactly("HTTPRoute default/web");
    assertThat(translation.producersOf("default/edge", "http-80"))
        .containsExactly("Gateway default/edge", "HTTPRoute default/web");
    assertThat(translation.producersOf("default/edge", "shop.test"))
        .containsExactly("HTTPRoute default/web");
    assertThat(translation.producersOf("default/other", "http-80")).isEmpty();
    assertThat(translation.readyEndpoints()).containsEntry("default/blue", 2);
  }
}
