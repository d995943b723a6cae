package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocator.AllocationException.Failure;
import dev.fairlead.testkit.FuzzExecutions;
import dev.fairlead.testkit.FuzzedTrees;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes what the HTTP allocation API does with a request body before it looks for an endpoint:
 * read it ({@link AllocateRequestJson}) and check it ({@link RequestValidation}). Bodies are
 * arbitrary bytes (decoded as UTF-8, as the HTTP server does) or a valid request edited field by
 * field ({@link FuzzedTrees}). For every body:
 *
 * <ul>
 *   <li>only an {@link AllocationException} of {@link Failure#INVALID_ARGUMENT} escapes — the API's
 *       400 — and its message begins with the field at fault ({@code ttl: …}, {@code
 *       selector.labels[k]: …}, {@code body: …} for the document as a whole), stays on one line
 *       without control characters (no stack trace; what it echoes of the body is escaped), and
 *       carries no Java class unless the body spelled it;
 *   <li>a request that passes satisfies every documented bound, as checked here independently of
 *       the code under test: a DNS-label namespace, a DNS-subdomain upstream, label keys and values
 *       and annotation keys in the API server's syntax and outside {@code fairlead.dev/}, a
 *       selector zone that is a label value, and a TTL that is absent or positive and at most the
 *       server's maximum.
 * </ul>
 *
 * Without {@code JAZZER_FUZZ} this runs the inputs kept under {@code
 * AllocateRequestFuzzTestInputs/} as a regression test; {@code scripts/fuzz.sh} fuzzes for a while
 * (see CONTRIBUTING.md).
 */
class AllocateRequestFuzzTest {

  @RegisterExtension static final FuzzExecutions EXECUTIONS = new FuzzExecutions();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VALID =
      """
      {"namespace": "default", "upstream": "game.example", "selector": {"zone": "zone-a", "labels": {"slot": "3",
      "example.com/rack": "r_1.x"}}, "labels": {"player": "p-1", "team": ""}, "annotations": {"note": "any text",
      "example.com/by": "me"}, "ttl": "600.5s"}
      """;
  private static final List<Duration> MAX_TTLS =
      List.of(
          Duration.ofSeconds(1),
          Duration.ofHours(24),
          Duration.ofSeconds(Durations.MAX_VALUE.getSeconds()));
  private static final Pattern NAMES_A_FIELD =
      Pattern.compile(
          "^(body|namespace|upstream|labels|annotations|ttl|selector(\\.zone|\\.labels)?)(\\[.*])?: ",
          Pattern.DOTALL);
  private static final Pattern JAVA_CLASS =
      Pattern.compile(
          "\\b(java|javax|com|org|io|dev|sun)\\.[a-z0-9_]+(\\.[a-z0-9_]+)*\\.[A-Z][A-Za-z0-9_$]*");
  private static final List<String> DICTIONARY =
      List.of(
          "",
          " ",
          "default",
          "game",
          "a.b",
          "-a",
          "a-",
          "A",
          "fairlead.dev/x",
          "example.com/x",
          "/x",
          "x/",
          "a/b/c",
          "a".repeat(63),
          "a".repeat(64),
          "a".repeat(254),
          "0s",
          "1s",
          "-1s",
          "86400s",
          "86400.000000001s",
          "315576000000s",
          "315576000001s",
          "1.5s",
          "0.000000001s",
          "1e3s",
          "NaNs",
          "s",
          "600",
          "1h",
          "\u0000",
          "é",
          "\n",
          "null",
          "true",
          "{}",
          "[]");

  @FuzzTest(maxDuration = "30s")
  void refusesOnlyWithTheFieldAtFaultAndAcceptsOnlyWhatIsInBounds(FuzzedDataProvider data) {
    EXECUTIONS.count();
    Duration maxTtl = MAX_TTLS.get(data.consumeInt(0, MAX_TTLS.size() - 1));
    String body =
        data.consumeBoolean()
            ? edited(data)
            : new String(data.consumeRemainingAsBytes(), StandardCharsets.UTF_8);
    AllocateRequest request;
    try {
      request = AllocateRequestJson.parse(body);
      if (request.getNamespace().isEmpty()) {
        request = request.toBuilder().setNamespace("default").build();
      }
      RequestValidation.checkAllocate(request, maxTtl);
    } catch (AllocationException refused) {
      assertThat(refused.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
      assertRefusalNamesItsField(refused.getMessage(), body);
      return;
    }
    assertWithinBounds(request, maxTtl);
  }

  private static void assertRefusalNamesItsField(String message, String body) {
    if (!message.contains(": unknown field; ")) {
      assertThat(message).containsPattern(NAMES_A_FIELD);
    } else {
      assertThat(message)
          .as("an unknown field is named")
          .doesNotStartWith(":")
          .doesNotStartWith(".");
    }
    Matcher found = JAVA_CLASS.matcher(message);
    while (found.find()) {
      assertThat(body).as("Java class in: %s", message).contains(found.group());
    }
    assertThat(
            message
                .chars()
                .noneMatch(c -> Character.isISOControl(c) || c == '\u2028' || c == '\u2029'))
        .as(
            "one line without control characters (no stack trace, no echoed line break): %s",
            message)
        .isTrue();
  }

  private static void assertWithinBounds(AllocateRequest request, Duration maxTtl) {
    assertThat(isDnsLabel(request.getNamespace()))
        .as("namespace %s", request.getNamespace())
        .isTrue();
    assertThat(isDnsSubdomain(request.getUpstream()))
        .as("upstream %s", request.getUpstream())
        .isTrue();
    assertLabels("labels", request.getLabelsMap());
    for (String key : request.getAnnotationsMap().keySet()) {
      assertThat(isQualifiedName(key) && !key.startsWith("fairlead.dev/"))
          .as("annotation key %s", key)
          .isTrue();
    }
    if (request.hasSelector()) {
      assertThat(isLabelValue(request.getSelector().getZone()))
          .as("zone %s", request.getSelector().getZone())
          .isTrue();
      for (Map.Entry<String, String> label : request.getSelector().getLabelsMap().entrySet()) {
        assertThat(isQualifiedName(label.getKey()) && isLabelValue(label.getValue()))
            .as("selector label %s", label)
            .isTrue();
      }
    }
    if (request.hasTtl()) {
      com.google.protobuf.Duration ttl = request.getTtl();
      Duration asked = Duration.ofSeconds(ttl.getSeconds(), ttl.getNanos());
      assertThat(asked).as("ttl").isPositive().isLessThanOrEqualTo(maxTtl);
      assertThat(ttl.getNanos()).as("ttl nanos").isBetween(0, 999_999_999);
    }
  }

  private static void assertLabels(String field, Map<String, String> labels) {
    for (Map.Entry<String, String> label : labels.entrySet()) {
      assertThat(
              isQualifiedName(label.getKey())
                  && !label.getKey().startsWith("fairlead.dev/")
                  && isLabelValue(label.getValue()))
          .as("%s %s", field, label)
          .isTrue();
    }
  }

  /** A valid request with a few structure-aware edits, as JSON; sometimes not an object at all. */
  private static String edited(FuzzedDataProvider data) {
    try {
      JsonNode root = JSON.readTree(VALID);
      FuzzedTrees.mutate(root, data, DICTIONARY, 6);
      return JSON.writeValueAsString(root);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  // The API server's syntax (k8s.io/apimachinery validation), written out character by character so
  // that it is checked independently of the regular expressions of RequestValidation.

  private static boolean isAlphanumeric(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }

  private static boolean isDnsLabel(String s) {
    if (s.isEmpty() || s.length() > 63 || s.charAt(0) == '-' || s.charAt(s.length() - 1) == '-') {
      return false;
    }
    return s.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  }

  private static boolean isDnsSubdomain(String s) {
    if (s.isEmpty() || s.length() > 253) {
      return false;
    }
    for (String part : s.split("\\.", -1)) {
      if (part.isEmpty()
          || part.charAt(0) == '-'
          || part.charAt(part.length() - 1) == '-'
          || !part.chars()
              .allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return false;
      }
    }
    return true;
  }

  /**
   * A label value: empty, or at most 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends.
   */
  private static boolean isLabelValue(String s) {
    if (s.isEmpty()) {
      return true;
    }
    return s.length() <= 63
        && isAlphanumeric(s.charAt(0))
        && isAlphanumeric(s.charAt(s.length() - 1))
        && s.chars().allMatch(c -> isAlphanumeric((char) c) || c == '-' || c == '_' || c == '.');
  }

  /**
   * A label or annotation key: an optional DNS-subdomain prefix and '/', then a non-empty label
   * value.
   */
  private static boolean isQualifiedName(String s) {
    String[] parts = s.split("/", -1);
    String name = parts[parts.length - 1];
    return parts.length <= 2
        && !name.isEmpty()
        && isLabelValue(name)
        && (parts.length == 1 || isDnsSubdomain(parts[0]));
  }
}
