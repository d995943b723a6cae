package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.testkit.FuzzExecutions;
import dev.fairlead.testkit.FuzzedTrees;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the translator with states near the golden cases: the fuzzer picks a case and edits its
 * objects ({@link FuzzedTrees}); whatever still reads as Kubernetes objects is translated. For
 * every such state:
 *
 * <ul>
 *   <li>translation never throws;
 *   <li>every condition that does not hold names the field at fault ({@code spec…} or {@code
 *       metadata…}) and no Java class (an exception's name is no message for a user);
 *   <li>an {@link IncrementalTranslator} that translated the unedited case first gives the same
 *       translation as a fresh one (what it reuses is exactly what did not change);
 *   <li>the golden suite's invariants hold: routes send only to clusters of their fleet, and
 *       exactly the EDS clusters have endpoints.
 * </ul>
 *
 * Without {@code JAZZER_FUZZ} this runs the inputs kept under {@code TranslatorFuzzTestInputs/} as
 * a regression test; {@code scripts/fuzz.sh} fuzzes for a while (see CONTRIBUTING.md). A sample of
 * fuzzed states is also validated by a real Envoy ({@link TranslatorOutputEnvoyValidateIT}).
 */
class TranslatorFuzzTest {

  @RegisterExtension static final FuzzExecutions EXECUTIONS = new FuzzExecutions();

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern NAMES_A_FIELD = Pattern.compile("\\b(spec|metadata)(\\.|\\[|:)");
  private static final Pattern JAVA_CLASS =
      Pattern.compile(
          "\\b(java|javax|com|org|io|dev)\\.[a-z0-9_]+(\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_]*");
  private static final List<List<JsonNode>> CASES = cases();
  private static final List<String> DICTIONARY =
      List.of(
          "",
          " ",
          "*",
          "*.example.com",
          "example.com",
          "EXAMPLE.com",
          "a..b",
          "/",
          "//",
          "/a/../b",
          "/%2f",
          "/a?b",
          "0",
          "-1",
          "default",
          "infra",
          "prod",
          "fairlead.dev",
          "gateway.networking.k8s.io",
          "Upstream",
          "Service",
          "Gateway",
          "HTTPRoute",
          "GRPCRoute",
          "ConfigMap",
          "HTTP",
          "HTTPS",
          "TLS",
          "TCP",
          "UDP",
          "PathPrefix",
          "Exact",
          "RegularExpression",
          "[",
          "(a",
          "\u0000",
          "é",
          "a".repeat(300),
          "1ms",
          "0s",
          "1h",
          "2h",
          "99999999999s",
          "5s",
          "-5s",
          "1.5s",
          "1m30s",
          "kubernetes.io/h2c",
          "http",
          "192.0.2.1",
          "::1",
          "256.1.1.1",
          "GET",
          "POST",
          "FETCH",
          "True",
          "False",
          "ROUND_ROBIN",
          "RING_HASH",
          "LEAST_REQUEST",
          "RANDOM",
          "MAGLEV",
          "HTTP2",
          "All",
          "Same",
          "Selector",
          "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
          "web",
          "api",
          "edge");

  @FuzzTest(maxDuration = "30s")
  void translationNeverThrowsNamesFieldsAndReusesOnlyWhatIsUnchanged(FuzzedDataProvider data) {
    EXECUTIONS.count();
    List<JsonNode> original = CASES.get(data.consumeInt(0, CASES.size() - 1));
    List<JsonNode> edited = new ArrayList<>();
    for (JsonNode object : original) {
      edited.add(object.deepCopy());
    }
    int rounds = data.consumeInt(1, 4);
    for (int i = 0; i < rounds && data.remainingBytes() > 0; i++) {
      FuzzedTrees.mutate(edited.get(data.consumeInt(0, edited.size() - 1)), data, DICTIONARY, 4);
    }
    ClusterState state = state(edited);

    Translation fresh = new Translator(TranslatorGoldenTest.OPTIONS).translate(state);
    IncrementalTranslator incremental = new IncrementalTranslator(TranslatorGoldenTest.OPTIONS);
    incremental.translate(state(original));

    assertThat(incremental.translate(state))
        .as("incremental after the unedited case vs fresh")
        .isEqualTo(fresh);
    for (Verdict verdict : fresh.verdicts()) {
      for (Condition condition : List.of(verdict.accepted(), verdict.resolvedRefs())) {
        if (!condition.isTrue()) {
          assertThat(condition.message())
              .as("%s %s", verdict.object(), condition.reason())
              .containsPattern(NAMES_A_FIELD)
              .doesNotContainPattern(JAVA_CLASS);
        }
      }
    }
    TranslatorGoldenTest.assertRoutesNameOnlyClustersOfTheirFleet(fresh);
    TranslatorGoldenTest.assertEveryEdsClusterHasItsEndpoints(fresh);
  }

  /**
   * The state of {@code trees}: each tree that reads as a Kubernetes object with a name, of a kind
   * a state holds, without an empty ({@code null}) list item (an edit may have made one unusable,
   * as the API server or the file source would refuse it: neither hands over an object without
   * {@code metadata.name} or with a null list item).
   */
  static ClusterState state(List<JsonNode> trees) {
    List<HasMetadata> objects = new ArrayList<>();
    for (JsonNode tree : trees) {
      if (hasNullListItem(tree)) {
        continue;
      }
      try {
        HasMetadata object = ClusterStateYaml.objects(YAML.writeValueAsString(tree)).get(0);
        ClusterState.of(List.of(object));
        if (object.getMetadata() == null
            || object.getMetadata().getName() == null
            || object.getMetadata().getName().isEmpty()) {
          continue;
        }
        objects.add(object);
      } catch (RuntimeException | IOException unreadable) {
        // refused before translation, as a source would refuse it
      }
    }
    return ClusterState.of(objects);
  }

  private static boolean hasNullListItem(JsonNode node) {
    if (node.isArray()) {
      for (JsonNode item : node) {
        if (item == null || item.isNull() || hasNullListItem(item)) {
          return true;
        }
      }
    } else if (node.isObject()) {
      for (JsonNode value : node) {
        if (hasNullListItem(value)) {
          return true;
        }
      }
    }
    return false;
  }

  /** Each golden case's objects as trees. */
  private static List<List<JsonNode>> cases() {
    try {
      List<List<JsonNode>> cases = new ArrayList<>();
      for (String name : TranslatorGoldenTest.cases().toList()) {
        String yaml =
            Files.readString(TranslatorGoldenTest.CASES.resolve("in").resolve(name + ".yaml"));
        try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
          cases.add(
              YAML.readValues(parser, JsonNode.class).readAll().stream()
                  .filter(node -> node != null && !node.isMissingNode() && !node.isNull())
                  .toList());
        }
      }
      return List.copyOf(cases);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
