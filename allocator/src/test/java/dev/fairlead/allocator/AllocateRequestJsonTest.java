package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocator.AllocationException.Failure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AllocateRequestJsonTest {

  @Test
  void readsTheProtobufJsonForm() {
    AllocateRequest request =
        AllocateRequestJson.parse(
            "{\"upstream\": \"game\", \"labels\": {\"p\": \"1\"}, "
                + "\"selector\": {\"zone\": \"a\", \"labels\": {\"slot\": \"3\"}}, \"ttl\": \"1.5s\"}");
    assertThat(request.getUpstream()).isEqualTo("game");
    assertThat(request.getLabelsMap()).containsEntry("p", "1");
    assertThat(request.getSelector().getZone()).isEqualTo("a");
    assertThat(request.getSelector().getLabelsMap()).containsEntry("slot", "3");
    assertThat(request.getTtl())
        .isEqualTo(
            com.google.protobuf.Duration.newBuilder().setSeconds(1).setNanos(500_000_000).build());
    assertThat(AllocateRequestJson.parse(" ")).isEqualTo(AllocateRequest.getDefaultInstance());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"upstream\": | body: is not valid JSON (line 1",
        "[1, 2] | body: must be a JSON object (an AllocateRequest), was an array",
        "\"game\" | body: must be a JSON object (an AllocateRequest), was a string",
        "{\"upstream\": \"game\", \"owner\": \"me\"} | owner: unknown field; a request has namespace, upstream,",
        "{\"selector\": {\"zone\": \"a\", \"rack\": 1}} | selector.rack: unknown field; this object has zone, labels",
        "{\"ttl\": \"abc\"} | ttl: must be a duration in seconds with the suffix s, such as \"600s\" or \"1.5s\", "
            + "was \"abc\"",
        "{\"ttl\": \"99999999h\"} | ttl: must be a duration in seconds with the suffix s",
        "{\"ttl\": \"999999999999s\"} | ttl: must be a duration in seconds with the suffix s",
        "{\"ttl\": 600} | ttl: must be a duration in seconds with the suffix s, such as \"600s\" or \"1.5s\", was 600",
        "{\"ttl\": {\"seconds\": 5}} | ttl: must be a duration",
        "{\"labels\": [\"a\"]} | labels: must be an object of string keys and values, was [\"a\"]",
        "{\"labels\": {\"a\": {\"b\": 1}}} | labels: must be an object of string keys and values",
        "{\"selector\": 5} | selector: must be an object, was 5",
        "{\"selector\": {\"labels\": 5}} | selector.labels: must be an object of string keys and values, was 5",
        "{\"upstream\": {\"name\": \"game\"}} | upstream: must be a string, was {\"name\":\"game\"}",
        "{\"a\\nb\": 1} | a\\nb: unknown field; a request has namespace",
      })
  void eachProblemNamesItsFieldWithoutParserInternals(String body, String message) {
    assertThatThrownBy(() -> AllocateRequestJson.parse(body))
        .isInstanceOfSatisfying(
            AllocationException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
              assertThat(e.getMessage())
                  .doesNotContainPattern("[a-z]+\\.[a-z]+\\.[A-Za-z.]*(Exception|Error)")
                  .doesNotContain("com.google", "com.fasterxml", "io.vertx", "java.", "Source:");
            })
        .hasMessageStartingWith(message);
  }

  @Test
  void aLongValueIsQuotedOnlyInPart() {
    assertThatThrownBy(() -> AllocateRequestJson.parse("{\"ttl\": \"" + "9".repeat(10_000) + "\"}"))
        .hasMessageEndingWith("…")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
  }
}
