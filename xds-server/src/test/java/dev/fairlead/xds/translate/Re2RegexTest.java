package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Re2RegexTest {

  @ParameterizedTest
  @ValueSource(strings = {"/users/[0-9]+/orders", "/v[12]/.*", "(blue|green)-[a-z]{2,8}", "[0-9]{1,3}", "^/a$",
      "(?i)/Case", "\\d+\\.\\d+", "/caf\u00e9"})
  void acceptsRe2Patterns(String regex) {
    assertThat(Re2Regex.problem(regex)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "/(a)\\1              | not a valid RE2 regular expression",
      "/(?=lookahead)       | not a valid RE2 regular expression",
      "(unclosed            | not a valid RE2 regular expression: missing closing )",
      "[z-a]                | not a valid RE2 regular expression",
      "*                    | not a valid RE2 regular expression",
      "[a-z]{200}           | too complex for Envoy",
      "\\p{L}+              | too complex for Envoy",
      "(.{1,20}/){5}        | too complex for Envoy",
  })
  void refusesWhatEnvoyRefuses(String regex, String problem) {
    assertThat(Re2Regex.problem(regex)).hasValueSatisfying(message -> assertThat(message).contains(problem));
  }

  @Test
  void refusesEmptyAndOverlongPatterns() {
    assertThat(Re2Regex.problem("")).hasValue("a regular expression is required");
    assertThat(Re2Regex.problem(null)).hasValue("a regular expression is required");
    assertThat(Re2Regex.problem("a".repeat(Re2Regex.MAX_LENGTH + 1))).hasValue("must be at most 1024 characters");
  }

  /**
   * The estimate read from re2j's compiled program, pinned: a re2j release that compiles differently (or moves what
   * {@link Re2Regex} reads) changes these numbers, and the limit must then be checked again against Envoy
   * ({@code TranslatorOutputEnvoyValidateIT} validates the golden case {@code httproute-regex} with a real Envoy).
   */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "a                    | 3",
      "/users/[0-9]+/orders | 18",
      ".                    | 14",
      "[a-z]{200}           | 202",
  })
  void estimatesProgramSizes(String regex, int size) {
    assertThat(Re2Regex.programSize(Pattern.compile(regex))).isEqualTo(size);
  }
}
