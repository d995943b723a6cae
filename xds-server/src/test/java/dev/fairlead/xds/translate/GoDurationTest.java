package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {

  @Test
  void addsUpNumberUnitPairs() {
    assertThat(GoDuration.parse("1m30s")).contains(GoDuration.ofSeconds(90));
    assertThat(GoDuration.parse("1h")).contains(GoDuration.ofSeconds(3600));
    assertThat(GoDuration.parse("250ms")).contains(new GoDuration(250_000_000L));
    assertThat(GoDuration.parse("1.5s")).contains(new GoDuration(1_500_000_000L));
    assertThat(GoDuration.parse("0.0000001ms")).contains(new GoDuration(0));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "5", "1d", "-1s", "1s2", "1.s", ".5s", "1us", "1 s", "1S"})
  void refusesWhatTheApiPatternRefuses(String text) {
    assertThat(GoDuration.parse(text)).isEmpty();
  }

  @Test
  void saturatesInsteadOfOverflowing() {
    assertThat(GoDuration.parse("99999999999999999999h")).contains(new GoDuration(Long.MAX_VALUE));
  }

  @Test
  void convertsToProtobuf() {
    com.google.protobuf.Duration proto = GoDuration.parse("62.5s").orElseThrow().toProto();
    assertThat(proto.getSeconds()).isEqualTo(62);
    assertThat(proto.getNanos()).isEqualTo(500_000_000);
  }
}
