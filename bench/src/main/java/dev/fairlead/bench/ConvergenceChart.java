package dev.fairlead.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One scenario's convergence as an SVG picture for {@code BENCHMARKS.md}: per mode and phase a
 * group of horizontal bars, one per server, each the median p50 of its runs with a whisker from the
 * fastest run to the slowest, labelled with the value and the server's CPU seconds. Each group has
 * its own scale (a connect takes seconds, a single change tens of milliseconds), starting at zero;
 * shorter is faster.
 *
 * <p>Written as SVG text here rather than drawn with a charting library (JFreeChart with JFreeSVG
 * is the well-kept one for Java): those lay text out with the fonts of the machine that draws, so
 * the same results would make different files on different machines, and the drawing needs an AWT
 * font stack a headless build machine may lack. These bars need no text measurement, and the same
 * results always make the same bytes.
 */
final class ConvergenceChart {

  private static final int WIDTH = 820;
  private static final int LABEL_WIDTH = 130;
  private static final int PLOT_WIDTH = 440;
  private static final int BAR_HEIGHT = 14;
  private static final int BAR_GAP = 5;
  private static final int GROUP_GAP = 14;
  private static final int TOP = 56;

  private static final Map<Peer, String> COLOURS =
      Map.of(
          Peer.FAIRLEAD, "#1f5fa8",
          Peer.FAIRLEAD_CACHE, "#7fa7d6",
          Peer.STOCK, "#d9822b",
          Peer.GO, "#2e8b57");

  private ConvergenceChart() {}

  /** The picture of {@code scenario}'s cells in {@code report}; empty of bars if it has none. */
  static String svg(BenchReport report, String scenario) {
    Map<String, List<BenchReport.Summary>> groups = new LinkedHashMap<>();
    for (BenchReport.Summary s : report.summaries()) {
      if (s.cell().scenario().equals(scenario) && s.p50Millis().isPresent()) {
        groups
            .computeIfAbsent(s.cell().mode() + " · " + s.cell().phase(), g -> new ArrayList<>())
            .add(s);
      }
    }
    int height = TOP;
    for (List<BenchReport.Summary> bars : groups.values()) {
      height += 18 + bars.size() * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP;
    }
    StringBuilder svg = new StringBuilder();
    svg.append(
            String.format(
                Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0"
                    + " %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
                WIDTH,
                height,
                WIDTH,
                height))
        .append(
            String.format(
                Locale.ROOT,
                "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n",
                WIDTH,
                height))
        .append(
            text(
                10,
                22,
                "font-size=\"15\" font-weight=\"bold\"",
                scenario + ": time until every client holds a change"))
        .append(
            text(
                10,
                40,
                "fill=\"#555555\"",
                "median p50 of the runs, whisker from fastest to slowest run; each group on its own"
                    + " scale from 0; shorter is faster"));
    int y = TOP;
    for (Map.Entry<String, List<BenchReport.Summary>> group : groups.entrySet()) {
      y += 14;
      svg.append(text(10, y, "font-weight=\"bold\"", group.getKey()));
      y += 4;
      double scale =
          group.getValue().stream().mapToDouble(s -> s.p50Millis().get().max()).max().orElse(1);
      for (BenchReport.Summary s : group.getValue()) {
        BenchReport.Spread p50 = s.p50Millis().get();
        double x0 = LABEL_WIDTH;
        double length = scale <= 0 ? 0 : p50.median() / scale * PLOT_WIDTH;
        double low = scale <= 0 ? 0 : p50.min() / scale * PLOT_WIDTH;
        double high = scale <= 0 ? 0 : p50.max() / scale * PLOT_WIDTH;
        double middle = y + BAR_HEIGHT / 2.0;
        svg.append(text(20, y + BAR_HEIGHT - 3, "", s.cell().server().label()))
            .append(
                String.format(
                    Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>%n",
                    x0,
                    y,
                    Math.max(length, 0.5),
                    BAR_HEIGHT,
                    COLOURS.get(s.cell().server())));
        if (high > low) {
          svg.append(
              String.format(
                  Locale.ROOT,
                  "<path d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" stroke=\"#222222\""
                      + " fill=\"none\"/>%n",
                  x0 + low,
                  middle,
                  x0 + high,
                  x0 + low,
                  middle - 4,
                  middle + 4,
                  x0 + high,
                  middle - 4,
                  middle + 4));
        }
        String label =
            String.format(Locale.ROOT, "%,.0f ms", p50.median())
                + s.cpuSeconds()
                    .map(c -> String.format(Locale.ROOT, " · CPU %.2f s", c.median()))
                    .orElse("")
                + (s.runs() > 1 ? String.format(Locale.ROOT, " · %d runs", s.runs()) : "");
        svg.append(text(x0 + Math.max(length, high) + 8, y + BAR_HEIGHT - 3, "", label));
        y += BAR_HEIGHT + BAR_GAP;
      }
      y += GROUP_GAP - BAR_GAP;
    }
    return svg.append("</svg>\n").toString();
  }

  private static String text(double x, double y, String attributes, String content) {
    return String.format(
        Locale.ROOT,
        "<text x=\"%.1f\" y=\"%.1f\"%s>%s</text>%n",
        x,
        y,
        attributes.isEmpty() ? "" : " " + attributes,
        escaped(content));
  }

  private static String escaped(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
