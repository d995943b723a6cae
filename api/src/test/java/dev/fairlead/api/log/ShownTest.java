package dev.fairlead.api.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShownTest {

  @Test
  void printableTextShowsUnchanged() {
    assertThat(Shown.shown("envoy-7f9c~10.0.0.1 ünïcode 日本 😀", 100))
        .isEqualTo("envoy-7f9c~10.0.0.1 ünïcode 日本 😀");
  }

  @Test
  void characterThatCouldForgeALineOrRestyleATerminalIsEscaped() {
    assertThat(Shown.shown("a\nb\r\u0000\u001b[31m\u0085\u2028\u2029", 100))
        .isEqualTo("a\\u000ab\\u000d\\u0000\\u001b[31m\\u0085\\u2028\\u2029");
  }

  @Test
  void bidirectionalControlsAreEscaped() {
    assertThat(Shown.shown("admin\u202egnp.exe\u2066x\u2069", 100))
        .isEqualTo("admin\\u202egnp.exe\\u2066x\\u2069");
  }

  @Test
  void longTextIsCutWithAnEllipsis() {
    assertThat(Shown.shown("abcdef", 3)).isEqualTo("abc…");
    assertThat(Shown.shown("abc", 3)).isEqualTo("abc");
  }

  @Test
  void cutNeverSplitsASurrogatePair() {
    // "ab" then U+1F600 as two chars: a cut after three characters keeps the whole pair
    assertThat(Shown.shown("ab😀cd", 3)).isEqualTo("ab😀…");
  }

  @Test
  void firstEscapedNamesTheIndexOfTheFirstEscapedCharacter() {
    assertThat(Shown.firstEscaped("node-1")).isEqualTo(-1);
    assertThat(Shown.firstEscaped("node\n1\u0000")).isEqualTo(4);
  }
}
