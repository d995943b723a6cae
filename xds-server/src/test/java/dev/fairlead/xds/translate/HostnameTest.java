package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class HostnameTest {

  @ParameterizedTest(name = "{0} ∩ {1} = {2}")
  @CsvSource({
    "foo.example.com, foo.example.com, foo.example.com",
    "*.example.com, foo.example.com, foo.example.com",
    "*.example.com, a.b.example.com, a.b.example.com",
    "*.example.com, *.shop.example.com, *.shop.example.com",
    "*.example.com, *.example.com, *.example.com",
  })
  void intersectionIsTheMoreSpecific(String a, String b, String expected) {
    assertThat(new Hostname(a).intersect(new Hostname(b))).contains(new Hostname(expected));
    assertThat(new Hostname(b).intersect(new Hostname(a))).contains(new Hostname(expected));
  }

  @ParameterizedTest(name = "{0} ∩ {1} is empty")
  @CsvSource({
    "foo.example.com, bar.example.com",
    "*.example.com, example.com",
    "*.example.com, fooexample.com",
    "*.example.com, *.example.org",
  })
  void disjointHostnamesDoNotIntersect(String a, String b) {
    assertThat(new Hostname(a).intersect(new Hostname(b))).isEmpty();
    assertThat(new Hostname(b).intersect(new Hostname(a))).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "*.example.com", "a-b.c1.example", "x"})
  void acceptsDnsNames(String value) {
    assertThat(Hostname.problem(value)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "*",
        "Example.com",
        "foo.*.com",
        "-a.com",
        "a_b.com",
        "10.0.0.1",
        "::1",
        "a..b"
      })
  void refusesWhatTheGatewayApiRefuses(String value) {
    assertThat(Hostname.problem(value)).isPresent();
  }
}
