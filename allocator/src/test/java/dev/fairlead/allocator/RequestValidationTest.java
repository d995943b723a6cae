package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Selector;
import dev.fairlead.allocator.AllocationException.Failure;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

  private static final java.time.Duration MAX_TTL = java.time.Duration.ofHours(24);

  private static AllocateRequest.Builder valid() {
    return AllocateRequest.newBuilder().setNamespace("games").setUpstream("game-7777");
  }

  @Test
  void aCompleteRequestPasses() {
    assertThatCode(
            () ->
                RequestValidation.checkAllocate(
                    valid()
                        .putLabels("team", "blue")
                        .putLabels("example.com/tier", "")
                        .putAnnotations("example.com/note", "any text at all")
                        .setSelector(
                            Selector.newBuilder()
                                .setZone("eu-west-1a")
                                .putLabels("app.kubernetes.io/name", "game"))
                        .setTtl(Duration.newBuilder().setSeconds(30))
                        .build(),
                    MAX_TTL))
        .doesNotThrowAnyException();
  }

  @Test
  void eachProblemNamesItsField() {
    assertInvalid(valid().setNamespace(""), "namespace: is required");
    assertInvalid(valid().setNamespace("Games"), "namespace: must be a DNS label");
    assertInvalid(valid().setUpstream(""), "upstream: is required");
    assertInvalid(valid().setUpstream("no_underscores"), "upstream: must be a DNS subdomain");
    assertInvalid(
        valid().setTtl(Duration.newBuilder().setSeconds(-5)), "ttl: must be a positive duration");
    assertInvalid(
        valid().setTtl(Duration.getDefaultInstance()), "ttl: must be a positive duration");
    assertInvalid(
        valid().setTtl(Duration.newBuilder().setSeconds(1).setNanos(-1)),
        "ttl: must be a positive");
    assertInvalid(
        valid().putLabels("fairlead.dev/owner", "x"), "labels[fairlead.dev/owner]: keys under");
    assertInvalid(valid().putAnnotations("fairlead.dev/x", "y"), "annotations[fairlead.dev/x]");
  }

  @Test
  void aTtlOverTheMaximumIsRefusedNamingTheMaximum() {
    assertThatCode(
            () ->
                RequestValidation.checkAllocate(
                    valid().setTtl(Durations.fromHours(24)).build(), MAX_TTL))
        .as("exactly the maximum")
        .doesNotThrowAnyException();
    assertInvalid(
        valid().setTtl(Duration.newBuilder().setSeconds(86_400).setNanos(1)),
        "ttl: must be at most 86400s, the server's maximum, was 86400.000000001s");
    assertInvalid(
        valid().setTtl(Duration.newBuilder().setSeconds(99_999_999_999L)),
        "ttl: must be at most 86400s, the server's maximum, was 99999999999s");
    assertInvalid(valid().setTtl(Durations.MAX_VALUE), "ttl: must be at most 86400s");
  }

  @Test
  void labelsAndSelectorsTheApiServerCouldNeverHoldAreRefusedNamingTheField() {
    assertInvalid(valid().putLabels("bad key", "x"), "labels[bad key]: the key must be a name");
    assertInvalid(valid().putLabels("team", "not valid!"), "labels[team]: must be a label value");
    assertInvalid(valid().putLabels("team", "x".repeat(64)), "labels[team]: must be a label value");
    assertInvalid(valid().putLabels("Not_A_Domain/x", "y"), "labels[Not_A_Domain/x]: the key");
    assertInvalid(valid().putLabels("example.com/", "y"), "labels[example.com/]: the key");
    assertInvalid(valid().putAnnotations("a b", "any value"), "annotations[a b]: the key");
    assertInvalid(
        valid().setSelector(Selector.newBuilder().putLabels("bad key", "x")),
        "selector.labels[bad key]: the key must be a name");
    assertInvalid(
        valid().setSelector(Selector.newBuilder().putLabels("slot", "-3")),
        "selector.labels[slot]: must be a label value");
    assertInvalid(
        valid().setSelector(Selector.newBuilder().setZone("zone a")),
        "selector.zone: must be a label value");
  }

  @Test
  void whatARefusalEchoesIsEscapedOnOneLineAndCut() {
    assertInvalid(
        valid()
            .setSelector(
                Selector.newBuilder().setZone("a\n\tat com.example.Fake.call(Fake.java:1)")),
        "selector.zone: must be a label value (at most 63 letters, digits, '-', '_' or '.', beginning and ending with"
            + " a letter or digit), was \"a\\n\\tat com.example.Fake.call(Fake.java:1)\"");
    assertInvalid(
        valid().putLabels("key\r\nX-Injected: 1", "v"), "labels[key\\r\\nX-Injected: 1]: the key");
    assertInvalid(valid().putLabels("a\u0085b\u2028c", "v"), "labels[a\\u0085b\\u2028c]: the key");
    assertInvalid(
        valid().setUpstream("u".repeat(300) + "!"),
        "upstream: must be a DNS subdomain name (RFC 1123), was \"" + "u".repeat(64) + "…\"");
  }

  private static void assertInvalid(AllocateRequest.Builder request, String message) {
    assertThatThrownBy(() -> RequestValidation.checkAllocate(request.build(), MAX_TTL))
        .isInstanceOfSatisfying(
            AllocationException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
              assertThat(e.reason()).isEqualTo("InvalidField");
            })
        .hasMessageStartingWith(message);
  }
}
