package dev.fairlead.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class BenchReportTest {

  private static PhaseResult result(
      String phase, Peer peer, String mode, double p50, Optional<Double> cpuSeconds) {
    return new PhaseResult(
        "scenario-a",
        phase,
        peer,
        mode,
        100,
        1000,
        1,
        1,
        p50,
        p50,
        p50,
        p50,
        38_000_000,
        0,
        0,
        0,
        0,
        cpuSeconds.map(
            c -> new ServerHandle.ServerStats(Math.round(c * 1e9), 220L << 20, 92L << 20)),
        3.5);
  }

  @Test
  void aRowParsesBackToTheResultItShows() {
    PhaseResult original = result("connect", Peer.GO, "delta", 803.4, Optional.of(0.54));
    PhaseResult parsed = PhaseResult.parse(original.row()).orElseThrow();
    assertThat(parsed.row()).isEqualTo(original.row());
    PhaseResult inProcess = result("connect", Peer.FAIRLEAD, "sotw", 12.0, Optional.empty());
    assertThat(PhaseResult.parse(inProcess.row()).orElseThrow().server()).isEmpty();
  }

  @Test
  void linesThatAreNotResultRowsAreSkipped() {
    assertThat(PhaseResult.parse(PhaseResult.header().lines().findFirst().orElseThrow())).isEmpty();
    assertThat(PhaseResult.parse("|---|---|")).isEmpty();
    assertThat(PhaseResult.parse("| sotw | connect | fairlead | 1 | 1 of 1 | 875.0 |")).isEmpty();
    assertThat(PhaseResult.parse("Fairlead converged in 875 ms.")).isEmpty();
  }

  @Test
  void cellsAreSummarisedAsTheMedianOfTheirRunsWithTheirRange() {
    List<String> lines = new ArrayList<>();
    lines.add(PhaseResult.header());
    for (double p50 : new double[] {1_700, 1_500, 1_579, 1_650, 1_520}) {
      lines.add(result("connect", Peer.FAIRLEAD, "sotw", p50, Optional.of(1.8)).row());
    }
    for (double p50 : new double[] {800, 810, 790}) {
      lines.add(result("connect", Peer.GO, "sotw", p50, Optional.of(0.5)).row());
    }
    lines.add("some text between the runs");

    BenchReport report = BenchReport.of(lines);

    BenchReport.Summary fairlead = report.summaries().get(0);
    assertThat(fairlead.cell())
        .isEqualTo(new BenchReport.Cell("scenario-a", "sotw", "connect", Peer.FAIRLEAD));
    assertThat(fairlead.runs()).isEqualTo(5);
    assertThat(fairlead.p50Millis()).contains(new BenchReport.Spread(1_579, 1_500, 1_700));
    assertThat(report.p50Ratio(fairlead.cell(), Peer.GO).getAsDouble())
        .isCloseTo(1_579 / 800.0, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(report.cpuRatio(fairlead.cell(), Peer.GO).getAsDouble())
        .isCloseTo(1.8 / 0.5, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(report.p50Ratio(fairlead.cell(), Peer.STOCK)).isEmpty();
    assertThat(report.table())
        .contains(
            "| scenario-a | sotw | connect | fairlead | 5 | 5 of 5 | 1,579.0 (1,500.0–1,700.0) | 1.80 | 92 |"
                + " 220 | 1.97 | 3.60 | — | — |")
        .contains(
            "| scenario-a | sotw | connect | go | 3 | 3 of 3 | 800.0 (790.0–810.0) | 0.50 | 92 |");
  }

  @Test
  void anEvenNumberOfRunsHasTheMeanOfTheMiddleTwoAsItsMedian() {
    assertThat(BenchReport.Spread.of(List.of(4.0, 1.0, 3.0, 2.0)))
        .contains(new BenchReport.Spread(2.5, 1.0, 4.0));
    assertThat(BenchReport.Spread.of(List.of(Double.NaN))).isEmpty();
  }

  @Test
  void cellsAreOrderedByModeThenPhaseAsTheScenarioRunsThemThenServer() {
    BenchReport report =
        BenchReport.of(
            List.of(
                result("1 endpoint ×10", Peer.GO, "delta", 50, Optional.of(0.6)).row(),
                result("connect", Peer.GO, "delta", 400, Optional.of(0.3)).row(),
                result("full push", Peer.FAIRLEAD, "sotw", 600, Optional.of(1.0)).row(),
                result("connect", Peer.FAIRLEAD, "sotw", 900, Optional.of(1.2)).row()));
    assertThat(report.summaries())
        .extracting(s -> s.cell().mode() + " " + s.cell().phase() + " " + s.cell().server().label())
        .containsExactly(
            "sotw connect fairlead",
            "sotw full push fairlead",
            "delta connect go",
            "delta 1 endpoint ×10 go");
  }

  @Test
  void phasesNoScenarioListsStayCellsOfTheirOwn() {
    BenchReport report =
        BenchReport.of(
            List.of(
                result("warm", Peer.GO, "sotw", 5, Optional.of(0.1)).row(),
                result("cool", Peer.GO, "sotw", 6, Optional.of(0.1)).row()));
    assertThat(report.summaries())
        .extracting(s -> s.cell().phase())
        .containsExactly("cool", "warm");
  }

  @Test
  void theChartIsWellFormedSvgWithABarPerServerAndTheSameBytesEveryTime() throws Exception {
    List<String> lines = new ArrayList<>();
    for (double p50 : new double[] {1_500, 1_700}) {
      lines.add(result("connect", Peer.FAIRLEAD, "sotw", p50, Optional.of(1.8)).row());
    }
    lines.add(result("connect", Peer.GO, "sotw", 800, Optional.of(0.5)).row());
    lines.add(result("1 endpoint ×10", Peer.GO, "sotw", 64, Optional.of(0.8)).row());
    BenchReport report = BenchReport.of(lines);

    String svg = ConvergenceChart.svg(report, "scenario-a");

    Document document =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(document.getDocumentElement().getTagName()).isEqualTo("svg");
    // the background and one bar per cell
    assertThat(document.getElementsByTagName("rect").getLength()).isEqualTo(1 + 3);
    assertThat(svg)
        .contains(">sotw · connect</text>")
        .contains(">sotw · 1 endpoint ×10</text>")
        .contains(">1,600 ms · CPU 1.80 s · 2 runs</text>")
        .contains(">800 ms · CPU 0.50 s</text>");
    // the fairlead bar's whisker runs from its fastest run to its slowest
    assertThat(document.getElementsByTagName("path").getLength()).isEqualTo(1);
    assertThat(ConvergenceChart.svg(BenchReport.of(lines), "scenario-a")).isEqualTo(svg);
  }
}
