package dev.fairlead.app.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.LoadBalancerPolicy;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigFileParserTest {

  private static final Path FILE = Path.of("config/app.yaml");
  private final ConfigFileParser parser = new ConfigFileParser();

  @Test
  void bytesThatAreNotUtf8AreRefusedWithTheirLineNotReplaced() {
    byte[] content =
        "apiVersion: v1\nkind: ConfigMap\n# caf\u00e9\nmetadata: {name: x}\n"
            .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);

    ParsedFile parsed = parser.parse(FILE, content);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.describe())
                    .isEqualTo(
                        "config/app.yaml:3: not UTF-8: byte 0xE9 at offset 36 cannot be decoded; save the file as UTF-8"));
  }

  @Test
  void utf8BytesAreParsed() {
    byte[] content =
        "apiVersion: v1\nkind: ConfigMap\n# caf\u00e9 \uD83D\uDE00\nmetadata: {name: x}\n"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    assertThat(parser.parse(FILE, content))
        .isInstanceOfSatisfying(
            ParsedFile.Good.class, good -> assertThat(good.objects()).hasSize(1));
  }

  @Test
  void anEmptyFileIsBrokenWhileOneWithOnlyACommentDeclaresNothing() {
    assertThat(parser.parse(FILE, new byte[0]))
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken -> assertThat(broken.message()).startsWith("the file is empty"));
    assertThat(parser.parse(FILE, " \n\t\r\n")).isInstanceOf(ParsedFile.Broken.class);
    assertThat(parser.parse(FILE, "# nothing\n"))
        .isInstanceOfSatisfying(
            ParsedFile.Good.class, good -> assertThat(good.objects()).isEmpty());
    assertThat(parser.parse(FILE, "---\n"))
        .isInstanceOfSatisfying(
            ParsedFile.Good.class, good -> assertThat(good.objects()).isEmpty());
  }

  @Test
  void readsTlsSecretsAndNamespacesAndRefusesOtherSecretsNamingTheType() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/tls
        metadata: {name: web-cert}
        data: {tls.crt: "", tls.key: ""}
        ---
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {team: web}}
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Good.class,
            good -> {
              assertThat(good.objects()).hasSize(2);
              assertThat(good.objects().get(0).object().getMetadata().getNamespace())
                  .isEqualTo("default");
              assertThat(good.objects().get(1).object().getMetadata().getNamespace()).isNull();
            });
    assertThat(
            parser.parse(
                FILE,
                """
        apiVersion: v1
        kind: Secret
        type: Opaque
        metadata: {name: password}
        """))
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.describe())
                    .isEqualTo(
                        "config/app.yaml:1: Secret password: type: must be kubernetes.io/tls (the only Secrets Fairlead"
                            + " reads: certificates of HTTPS listeners), was Opaque"));
  }

  @Test
  void readsEveryDocumentWithTheLineItStartsOn() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: blue
        spec:
          static:
            hosts:
            - {address: 127.0.0.1, port: 8081}
          loadBalancer: {policy: LEAST_REQUEST}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: web
          namespace: shop
        spec:
          parentRefs: [{name: edge}]
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Good.class,
            good -> {
              assertThat(good.objects()).hasSize(2);
              assertThat(good.objects().get(0).line()).isEqualTo(1);
              assertThat(good.objects().get(1).line()).isEqualTo(11);
              Upstream blue = (Upstream) good.objects().get(0).object();
              assertThat(blue.getMetadata().getNamespace())
                  .as("default namespace")
                  .isEqualTo("default");
              assertThat(blue.getSpec().staticHosts().hosts())
                  .singleElement()
                  .satisfies(h -> assertThat(h.port()).isEqualTo(8081));
              assertThat(blue.getSpec().loadBalancer().policy())
                  .isEqualTo(LoadBalancerPolicy.LEAST_REQUEST);
              assertThat(good.objects().get(1).object()).isInstanceOf(HTTPRoute.class);
              assertThat(good.objects().get(1).object().getMetadata().getNamespace())
                  .isEqualTo("shop");
            });
  }

  @Test
  void aGatewayClassIsReadAsClusterScopedWithoutANamespace() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: fairlead}
        spec: {controllerName: fairlead.dev/gateway-controller}
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Good.class,
            good ->
                assertThat(good.objects())
                    .singleElement()
                    .satisfies(
                        located -> {
                          assertThat(located.object())
                              .isInstanceOfSatisfying(
                                  GatewayClass.class,
                                  c ->
                                      assertThat(c.getSpec().getControllerName())
                                          .isEqualTo("fairlead.dev/gateway-controller"));
                          assertThat(located.object().getMetadata().getNamespace()).isNull();
                          assertThat(ConfigDirectory.key(located.object()))
                              .isEqualTo("GatewayClass /fairlead");
                        }));
  }

  @Test
  void brokenYamlNamesTheFileAndLine() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: blue
          labels: [unclosed
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken -> {
              assertThat(broken.line()).as("the line of the unclosed bracket").isEqualTo(5);
              assertThat(broken.describe())
                  .startsWith("config/app.yaml:5: invalid YAML")
                  .doesNotContain("\n");
            });
  }

  @Test
  void aWrongValueNamesTheObjectAndTheField() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: ok}
        ---
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata:
          name: blue
        spec:
          static: {hosts: [{address: 127.0.0.1, port: 8081}]}
          loadBalancer: {policy: ROUND_ROBINN}
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken -> {
              assertThat(broken.line()).isEqualTo(5);
              assertThat(broken.message())
                  .startsWith("Upstream blue: spec.loadBalancer.policy: ")
                  .contains("ROUND_ROBINN");
            });
  }

  @Test
  void aValueOfTheWrongFormSaysWhatFormItTakesAndNamesNoJavaClass() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge}
        spec: ""
        """);
    ParsedFile port =
        parser.parse(
            FILE,
            """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: blue}
        spec:
          static: {hosts: [{address: 127.0.0.1, port: eighty}]}
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.message())
                    .isEqualTo(
                        "Gateway edge: spec: must be a mapping (fields and their values), was \"\""));
    assertThat(port)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.message())
                    .isEqualTo(
                        "Upstream blue: spec.static.hosts[0].port: must be a number, was \"eighty\""));
  }

  @Test
  void aMappingUsedAsAKeyIsNamedInWordsNotAsAParserEvent() {
    ParsedFile parsed = parser.parse(FILE, "apiVersion: v1\nkind: ConfigMap\n{a: 1}: x\n");

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken -> {
              assertThat(broken.line()).isBetween(1, 3);
              assertThat(broken.message())
                  .isEqualTo(
                      "invalid YAML: Expected a field name (Scalar value in YAML), got this"
                          + " instead: a mapping");
            });
  }

  @Test
  void anEmptyListItemIsRefusedNamingItsPathAsTheApiServerWould() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata: {name: web-1}
        addressType: IPv4
        endpoints:
        - addresses: [10.0.0.1]
        -
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.describe())
                    .isEqualTo(
                        "config/app.yaml:1: EndpointSlice web-1: endpoints[1]: a list item is empty (null); remove it or"
                            + " give it a value"));
  }

  @Test
  void anUnknownKindSaysWhatIsRead() {
    ParsedFile parsed =
        parser.parse(FILE, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n");

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.message())
                    .contains("apiVersion 'apps/v1' kind 'Deployment' is not a kind Fairlead reads")
                    .contains(
                        "fairlead.dev/v1alpha1/Upstream",
                        "gateway.networking.k8s.io/v1/HTTPRoute"));
  }

  @Test
  void readsAReferenceGrant() {
    ParsedFile parsed =
        parser.parse(
            FILE,
            """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: upstreams, namespace: shop}
        spec:
          from: [{group: fairlead.dev, kind: Upstream, namespace: default}]
          to: [{group: "", kind: Service, name: web}]
        """);

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Good.class,
            good ->
                assertThat(good.objects())
                    .singleElement()
                    .satisfies(
                        located ->
                            assertThat(located.object())
                                .isInstanceOfSatisfying(
                                    ReferenceGrant.class,
                                    grant ->
                                        assertThat(grant.getSpec().getTo().get(0).getName())
                                            .isEqualTo("web"))));
  }

  @Test
  void anObjectWithoutANameIsRejected() {
    ParsedFile parsed =
        parser.parse(FILE, "apiVersion: v1\nkind: Service\nmetadata: {namespace: x}\n");

    assertThat(parsed)
        .isInstanceOfSatisfying(
            ParsedFile.Broken.class,
            broken ->
                assertThat(broken.describe())
                    .isEqualTo("config/app.yaml:1: Service has no metadata.name"));
  }
}
