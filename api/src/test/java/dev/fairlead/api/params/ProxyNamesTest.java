package dev.fairlead.api.params;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProxyNamesTest {

  private static final String DNS_LABEL = "[a-z]([-a-z0-9]*[a-z0-9])?";

  @Test
  void aShortNameIsPrefixed() {
    assertThat(ProxyNames.of("edge")).isEqualTo("fairlead-edge");
  }

  @Test
  void aNameWithDotsBecomesADnsLabel() {
    String name = ProxyNames.of("edge.example.com");

    assertThat(name)
        .matches(DNS_LABEL)
        .startsWith("fairlead-edge-example-com-")
        .hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void longNamesSharingAPrefixStayApart() {
    String common = "a".repeat(100);

    String first = ProxyNames.of(common + "-one");
    String second = ProxyNames.of(common + "-two");

    assertThat(first).hasSize(63).matches(DNS_LABEL);
    assertThat(second).hasSize(63).matches(DNS_LABEL);
    assertThat(first).isNotEqualTo(second);
  }

  @Test
  void aPrefixEndingInADashLosesIt() {
    String name = ProxyNames.of("x".repeat(42) + "-" + "y".repeat(40));

    assertThat(name).matches(DNS_LABEL).doesNotContain("--").hasSizeLessThanOrEqualTo(63);
  }
}
