package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UnallocatedStatusTest {

  @ParameterizedTest
  @CsvSource({
    "429, RESOURCE_EXHAUSTED",
    "500, INTERNAL",
    "501, UNIMPLEMENTED",
    "502, UNAVAILABLE",
    "503, UNAVAILABLE",
    "504, DEADLINE_EXCEEDED",
    "505, INTERNAL",
    "507, INTERNAL",
    "599, INTERNAL"
  })
  void theGrpcCodeFollowsTheHttpStatus(String value, Status.Code code) {
    UnallocatedStatus status = UnallocatedStatus.parse(value);
    assertThat(status.httpCode()).isEqualTo(Integer.parseInt(value));
    assertThat(status.grpcCode()).isEqualTo(code);
  }

  @Test
  void theDefaultIs429() {
    assertThat(UnallocatedStatus.DEFAULT.httpCode()).isEqualTo(429);
    assertThat(UnallocatedStatus.DEFAULT.grpcCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void surroundingWhitespaceIsAccepted() {
    assertThat(UnallocatedStatus.parse(" 503 ").httpCode()).isEqualTo(503);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "200", "404", "409", "428", "430", "499", "600", "0", "-503", "5o3", "", "  ", "503.0",
        "99999", "0x1F7"
      })
  void anythingElseIsRefusedListingWhatIsAllowed(String value) {
    assertThatThrownBy(() -> UnallocatedStatus.parse(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("429 or 500-599")
        .hasMessageContaining(value);
  }

  @Test
  void nullIsRefused() {
    assertThatThrownBy(() -> UnallocatedStatus.parse(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("429 or 500-599");
  }
}
