package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.AllocationNames;
import org.junit.jupiter.api.Test;

/**
 * The name is what makes allocation exclusive: a function of the endpoint only, distinct for
 * distinct endpoints.
 */
class AllocationNamesTest {

  @Test
  void readableAndStable() {
    String name = AllocationNames.forEndpoint("game", "10.0.0.1", 7777);
    assertThat(name).matches("game-10-0-0-1-7777-[0-9a-f]{8}");
    assertThat(AllocationNames.forEndpoint("game", "10.0.0.1", 7777)).isEqualTo(name);
  }

  @Test
  void endpointsThatFoldAlikeStayApart() {
    assertThat(AllocationNames.forEndpoint("game", "::1", 80))
        .isNotEqualTo(AllocationNames.forEndpoint("game", "--1", 80));
    assertThat(AllocationNames.forEndpoint("a-b", "1.2.3.4", 80))
        .isNotEqualTo(AllocationNames.forEndpoint("a", "b-1.2.3.4", 80));
  }

  @Test
  void longNamesAreCutToAValidName() {
    String name =
        AllocationNames.forEndpoint(
            "x".repeat(200), "fd00:1234:5678:9abc:def0:1234:5678:9abc", 65535);
    assertThat(name)
        .hasSizeLessThanOrEqualTo(AllocationNames.MAX_LENGTH)
        .matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    assertThat(
            AllocationNames.forEndpoint(
                "x".repeat(200), "fd00:1234:5678:9abc:def0:1234:5678:9abd", 65535))
        .isNotEqualTo(name);
  }
}
