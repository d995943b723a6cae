package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Re2RegexTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/users/[0-9]+/orders",
        "/v[12]/.*",
        "(blue|green)-[a-z]{2,8}",
        "[0-9]{1,3}",
        "^/a$",
        "(?i)/Case",
        "\\d+\\.\\d+",
        "/caf\u00e9",
        "[^/]{30}",
        "\\p{L}+",
        "\\x{e9}",
        "\\\\x{263a}"
      })
  void acceptsRe2Patterns(String regex) {
    assertThat(Re2Regex.problem(regex)).isEmpty();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "/(a)\\1              | not a valid RE2 regular expression",
        "/(?=lookahead)       | not a valid RE2 regular expression",
        "(unclosed            | not a valid RE2 regular expression: missing closing )",
        "[z-a]                | not a valid RE2 regular expression",
        "*                    | not a valid RE2 regular expression",
        "[a-z]{200}           | too complex for Envoy",
        "(.{1,20}/){5}        | too complex for Envoy",
        "[a-z]{99}            | too complex for Envoy",
        "\\x{263a}            | beyond Latin-1",
        "a\\x{0100}           | beyond Latin-1",
      })
  void refusesWhatEnvoyRefuses(String regex, String problem) {
    assertThat(Re2Regex.problem(regex))
        .hasValueSatisfying(message -> assertThat(message).contains(problem));
  }

  @Test
  void refusesEmptyAndOverlongPatterns() {
    assertThat(Re2Regex.problem("")).hasValue("a regular expression is required");
    assertThat(Re2Regex.problem(null)).hasValue("a regular expression is required");
    assertThat(Re2Regex.problem("a".repeat(Re2Regex.MAX_LENGTH + 1)))
        .hasValue("must be at most 1024 characters");
  }

  /**
   * The estimate read from re2j's compiled program next to the size Envoy 1.40 reports for the same
   * pattern (run with {@code re2.max_program_size.warn_level: 0}, its warning names each program's
   * size): exact for ASCII patterns, above for case-folded classes. A re2j release that compiles
   * differently (or moves what {@link Re2Regex} reads) changes the estimates, and they must then be
   * measured against Envoy again.
   */
  @ParameterizedTest(name = "{0}: Envoy {1}, estimate {2}")
  @CsvSource(
      delimiter = ';',
      value = {
        "a                                          ; 5 ; 5",
        "/users/[0-9]+/orders                       ; 20 ; 20",
        "[a-z]{200}                                 ; 204 ; 204",
        "[a-z]{95}                                  ; 99 ; 99",
        "(blue|green)-[a-z]{2,8}                    ; 30 ; 31",
        "/store\\.v[0-9]+\\.Orders/(Get|List)Orders?  ; 38 ; 39",
        "[0-9]{1,3}                                 ; 9 ; 9",
        ".                                          ; 6 ; 6",
        ".{10}                                      ; 24 ; 24",
        "[^/]{30}                                   ; 64 ; 64",
        "/[^/]+/Health                              ; 15 ; 15",
        "\\W                                         ; 9 ; 9",
        "\\p{L}                                      ; 11 ; 12",
        "(?i)[a-z]{10}                              ; 14 ; 24",
      })
  void estimatesProgramSizesAtOrAboveEnvoys(String regex, int envoy, int estimate) {
    assertThat(Re2Regex.programSize(Pattern.compile(regex)))
        .isEqualTo(estimate)
        .isGreaterThanOrEqualTo(envoy);
  }
}
