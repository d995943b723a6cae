package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.e2e.ConformanceLists.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConformanceListsTest {

  @TempDir Path dir;

  @Test
  void theRepositorysListsRead() {
    assertThat(ConformanceLists.supportedFeatures(Path.of("../conformance/supported-features.txt")))
        .contains("Gateway", "HTTPRoute", "ReferenceGrant")
        .doesNotHaveDuplicates();
    assertThat(ConformanceLists.skipTests(Path.of("../conformance/skip-tests.txt")).values())
        .allSatisfy(reason -> assertThat(reason).isNotBlank());
  }

  @Test
  void featuresSkipCommentsAndBlankLines() throws IOException {
    Path file = write("# what Fairlead implements\n\nGateway\n  HTTPRoute   # core\n");

    assertThat(ConformanceLists.supportedFeatures(file)).containsExactly("Gateway", "HTTPRoute");
  }

  @Test
  void twoFeaturesOnALineAreRefusedNamingTheLine() throws IOException {
    Path file = write("Gateway\nHTTPRoute,ReferenceGrant\n");

    assertThatThrownBy(() -> ConformanceLists.supportedFeatures(file))
        .hasMessageContaining(file + ":2")
        .hasMessageContaining("HTTPRoute,ReferenceGrant");
  }

  @Test
  void skipTestsKeepTheirReasonsInOrder() throws IOException {
    Path file =
        write(
            "# test reason\nHTTPRouteQueryParamMatching  query matches are not translated\n"
                + "GatewayWithAttachedRoutes\tlistener status counts attached routes wrongly # issue 7\n");

    assertThat(ConformanceLists.skipTests(file))
        .containsExactly(
            Map.entry("HTTPRouteQueryParamMatching", "query matches are not translated"),
            Map.entry(
                "GatewayWithAttachedRoutes", "listener status counts attached routes wrongly"));
  }

  @Test
  void aSkippedTestWithoutAReasonOrTwiceIsRefused() throws IOException {
    Path bare = write("HTTPRouteQueryParamMatching\n");
    assertThatThrownBy(() -> ConformanceLists.skipTests(bare))
        .hasMessageContaining(bare + ":1")
        .hasMessageContaining("has no reason");

    Path twice = write("A one reason\nA another\n");
    assertThatThrownBy(() -> ConformanceLists.skipTests(twice))
        .hasMessageContaining(twice + ":2")
        .hasMessageContaining("listed twice");
  }

  @Test
  void outcomesAreReadFromTheTopLevelSubtestsOfGoTestVerboseOutput() {
    String output =
        """
        === RUN   TestConformance
        === RUN   TestConformance/HTTPRouteSimpleSameNamespace
            --- PASS: TestConformance/HTTPRouteSimpleSameNamespace/0_request (0.10s)
        --- FAIL: TestConformance (12.00s)
            --- PASS: TestConformance/HTTPRouteSimpleSameNamespace (1.02s)
            --- FAIL: TestConformance/HTTPRouteQueryParamMatching (60.00s)
            --- SKIP: TestConformance/HTTPRouteRequestMirror (0.00s)
        FAIL
        """;

    assertThat(ConformanceLists.outcomes(output))
        .containsExactly(
            Map.entry("HTTPRouteSimpleSameNamespace", Outcome.PASS),
            Map.entry("HTTPRouteQueryParamMatching", Outcome.FAIL),
            Map.entry("HTTPRouteRequestMirror", Outcome.SKIP));
  }

  private Path write(String text) throws IOException {
    Path file = Files.createTempFile(dir, "list", ".txt");
    Files.writeString(file, text);
    return file;
  }
}
