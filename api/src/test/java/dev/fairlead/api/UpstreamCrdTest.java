package dev.fairlead.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Facts about the CRD file crd-generator-maven-plugin writes, which the generator could change
 * without a compile error: each CEL rule is listed once, where it belongs; the printer columns come
 * in the order people read them; status is a subresource. {@link UpstreamCrdRealApiServerIT} shows
 * what the API server makes of the same file.
 */
class UpstreamCrdTest {

  private static CustomResourceDefinitionVersion version;
  private static CustomResourceDefinition crd;

  @BeforeAll
  static void readGeneratedCrd() throws IOException {
    try (InputStream in =
        UpstreamCrdTest.class
            .getClassLoader()
            .getResourceAsStream(UpstreamCrdRealApiServerIT.GENERATED_CRD)) {
      assertThat(in).as("generated CRD on the classpath").isNotNull();
      crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
    }
    assertThat(crd.getSpec().getVersions()).hasSize(1);
    version = crd.getSpec().getVersions().get(0);
  }

  @Test
  void namesScopeAndVersion() {
    assertThat(crd.getMetadata().getName()).isEqualTo("upstreams.fairlead.dev");
    assertThat(crd.getSpec().getGroup()).isEqualTo("fairlead.dev");
    assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
    assertThat(crd.getSpec().getNames().getKind()).isEqualTo("Upstream");
    assertThat(crd.getSpec().getNames().getPlural()).isEqualTo("upstreams");
    assertThat(crd.getSpec().getNames().getSingular()).isEqualTo("upstream");
    assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("us");
    assertThat(version.getName()).isEqualTo("v1alpha1");
    assertThat(version.getServed()).isTrue();
    assertThat(version.getStorage()).isTrue();
  }

  @Test
  void statusIsASubresource() {
    assertThat(version.getSubresources()).isNotNull();
    assertThat(version.getSubresources().getStatus()).isNotNull();
  }

  @Test
  void printerColumnsAreAcceptedProgrammedEndpointsAge() {
    assertThat(version.getAdditionalPrinterColumns())
        .extracting(
            CustomResourceColumnDefinition::getName,
            CustomResourceColumnDefinition::getType,
            CustomResourceColumnDefinition::getPriority)
        .containsExactly(
            tuple("Accepted", "string", 0),
            tuple("Programmed", "string", 0),
            tuple("Endpoints", "integer", 0),
            tuple("Age", "date", 0));
  }

  @Test
  void eachCelRuleIsListedOnceWhereItBelongs() {
    Map<String, List<ValidationRule>> rulesByPath = new TreeMap<>();
    collectRules("", version.getSchema().getOpenAPIV3Schema(), rulesByPath);

    assertThat(rulesByPath)
        .hasEntrySatisfying(
            ".spec",
            rules ->
                assertThat(rules)
                    .singleElement()
                    .satisfies(
                        rule ->
                            assertThat(rule.getMessage()).contains("spec.kube", "spec.static")));
    assertThat(rulesByPath)
        .hasEntrySatisfying(
            ".spec.healthChecks[*]",
            rules ->
                assertThat(rules)
                    .singleElement()
                    .satisfies(rule -> assertThat(rule.getFieldPath()).isEqualTo(".timeout")));
    assertThat(rulesByPath)
        .containsOnlyKeys(
            ".spec",
            ".spec.connectTimeout",
            ".spec.healthChecks[*]",
            ".spec.healthChecks[*].interval",
            ".spec.healthChecks[*].timeout",
            ".spec.outlierDetection.baseEjectionTime",
            ".spec.outlierDetection.interval");
    assertThat(rulesByPath).allSatisfy((path, rules) -> assertThat(rules).as(path).hasSize(1));
  }

  private static void collectRules(
      String path, JSONSchemaProps schema, Map<String, List<ValidationRule>> rules) {
    if (schema.getXKubernetesValidations() != null
        && !schema.getXKubernetesValidations().isEmpty()) {
      rules.put(path, schema.getXKubernetesValidations());
    }
    if (schema.getProperties() != null) {
      schema
          .getProperties()
          .forEach((name, property) -> collectRules(path + "." + name, property, rules));
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      collectRules(path + "[*]", schema.getItems().getSchema(), rules);
    }
  }
}
