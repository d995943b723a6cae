package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Duration;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocator.AllocationException.Failure;
import org.junit.jupiter.api.Test;

class RequestValidationTest {

  private static AllocateRequest.Builder valid() {
    return AllocateRequest.newBuilder().setNamespace("games").setUpstream("game-7777");
  }

  @Test
  void aCompleteRequestPasses() {
    assertThatCode(() -> RequestValidation.checkAllocate(valid().putLabels("team", "blue")
        .setTtl(Duration.newBuilder().setSeconds(30)).build())).doesNotThrowAnyException();
  }

  @Test
  void eachProblemNamesItsField() {
    assertInvalid(valid().setNamespace(""), "namespace: is required");
    assertInvalid(valid().setNamespace("Games"), "namespace: must be a DNS label");
    assertInvalid(valid().setUpstream(""), "upstream: is required");
    assertInvalid(valid().setUpstream("no_underscores"), "upstream: must be a DNS subdomain");
    assertInvalid(valid().setTtl(Duration.newBuilder().setSeconds(-5)), "ttl: must be a positive duration");
    assertInvalid(valid().setTtl(Duration.getDefaultInstance()), "ttl: must be a positive duration");
    assertInvalid(valid().putLabels("fairlead.dev/owner", "x"), "labels[fairlead.dev/owner]: keys under");
    assertInvalid(valid().putAnnotations("fairlead.dev/x", "y"), "annotations[fairlead.dev/x]");
  }

  private static void assertInvalid(AllocateRequest.Builder request, String message) {
    assertThatThrownBy(() -> RequestValidation.checkAllocate(request.build()))
        .isInstanceOfSatisfying(AllocationException.class, e -> {
          org.assertj.core.api.Assertions.assertThat(e.failure()).isEqualTo(Failure.INVALID_ARGUMENT);
          org.assertj.core.api.Assertions.assertThat(e.reason()).isEqualTo("InvalidField");
        })
        .hasMessageStartingWith(message);
  }
}
