package dev.fairlead.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * The results of several runs ({@link PhaseResult} rows, as the benchmark appends them to its
 * results file) summarised per cell — scenario, mode, phase, server — as the median with its range,
 * and the ratio of each Fairlead server's median to go-control-plane's and to the stock cache's:
 * what {@code BENCHMARKS.md} reports and {@link ConvergenceChart} draws.
 */
final class BenchReport {

  /** One scenario's phase in one mode against one server. */
  record Cell(String scenario, String mode, String phase, Peer server) {}

  /** The median of a measure over runs, with its smallest and largest value. */
  record Spread(double median, double min, double max) {

    static Optional<Spread> of(List<Double> values) {
      List<Double> sorted = values.stream().filter(v -> !v.isNaN()).sorted().toList();
      if (sorted.isEmpty()) {
        return Optional.empty();
      }
      int n = sorted.size();
      double median =
          n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
      return Optional.of(new Spread(median, sorted.get(0), sorted.get(n - 1)));
    }

    String text(String format) {
      String median = String.format(Locale.ROOT, format, this.median);
      return min == max
          ? median
          : median
              + " ("
              + String.format(Locale.ROOT, format, min)
              + "–"
              + String.format(Locale.ROOT, format, max)
              + ")";
    }
  }

  /**
   * A cell over its runs: how many runs, how many changes converged of how many, the fleet's p50
   * convergence (each run's median over its changes), and the server's CPU seconds, peak heap and
   * peak resident set (the largest of the runs) where the server ran in a process of its own.
   */
  record Summary(
      Cell cell,
      int runs,
      int converged,
      int changes,
      Optional<Spread> p50Millis,
      Optional<Spread> cpuSeconds,
      OptionalDouble peakHeapMb,
      OptionalDouble peakRssMb) {}

  private final Map<Cell, Summary> summaries;

  private BenchReport(Map<Cell, Summary> summaries) {
    this.summaries = summaries;
  }

  /** The summary of {@code lines}: every line that is a {@link PhaseResult} row counts. */
  static BenchReport of(List<String> lines) {
    Map<Cell, List<PhaseResult>> byCell = new TreeMap<>(CELL_ORDER);
    for (String line : lines) {
      PhaseResult.parse(line)
          .ifPresent(
              r ->
                  byCell
                      .computeIfAbsent(
                          new Cell(r.scenario(), r.mode(), r.phase(), r.peer()),
                          c -> new ArrayList<>())
                      .add(r));
    }
    Map<Cell, Summary> summaries = new TreeMap<>(CELL_ORDER);
    byCell.forEach((cell, results) -> summaries.put(cell, summarise(cell, results)));
    return new BenchReport(summaries);
  }

  /**
   * Scenario, then mode (SotW first), then phase in the order the scenarios run them, then server
   * in {@link Peer} order.
   */
  private static final Comparator<Cell> CELL_ORDER =
      Comparator.comparing(Cell::scenario)
          .thenComparing(c -> c.mode().equals("sotw") ? 0 : 1)
          .thenComparing(c -> PhaseOrder.rank(c.phase()))
          .thenComparing(Cell::phase)
          .thenComparing(Cell::server);

  /**
   * The phases of the scenarios in the order they run; phases not listed sort after them, by name.
   */
  private static final class PhaseOrder {
    private static final List<String> PHASES =
        List.of(
            "idle, no clients",
            "connect",
            "idle, all connected",
            "full push",
            "1 endpoint",
            "1 endpoint ×10",
            "churn",
            "cold start",
            "restart");

    static int rank(String phase) {
      int at = PHASES.indexOf(phase);
      return at < 0 ? PHASES.size() : at;
    }
  }

  private static Summary summarise(Cell cell, List<PhaseResult> results) {
    return new Summary(
        cell,
        results.size(),
        results.stream().mapToInt(PhaseResult::converged).sum(),
        results.stream().mapToInt(PhaseResult::changes).sum(),
        Spread.of(results.stream().map(PhaseResult::fleetP50Millis).toList()),
        Spread.of(
            results.stream()
                .flatMap(r -> r.server().stream())
                .map(s -> s.cpuNanos() / 1e9)
                .toList()),
        largestMegabytes(results, ServerHandle.ServerStats::peakHeapBytes),
        largestMegabytes(results, ServerHandle.ServerStats::peakRssBytes));
  }

  /**
   * The largest of {@code bytes} over the runs whose server ran in a process of its own, in MiB.
   */
  private static OptionalDouble largestMegabytes(
      List<PhaseResult> results, ToLongFunction<ServerHandle.ServerStats> bytes) {
    return results.stream()
        .flatMap(r -> r.server().stream())
        .mapToDouble(s -> bytes.applyAsLong(s) / (double) (1 << 20))
        .max();
  }

  /** Every cell's summary, in report order. */
  List<Summary> summaries() {
    return List.copyOf(summaries.values());
  }

  /** The scenarios the results cover, in order. */
  List<String> scenarios() {
    return summaries.keySet().stream().map(Cell::scenario).distinct().toList();
  }

  /**
   * {@code cell}'s median p50 over {@code peer}'s in the same scenario, mode and phase: below 1,
   * {@code cell}'s server converged faster. Empty where either has no converged change.
   */
  OptionalDouble p50Ratio(Cell cell, Peer peer) {
    return ratio(cell, peer, Summary::p50Millis);
  }

  /** As {@link #p50Ratio}, of the server's CPU seconds over the phase. */
  OptionalDouble cpuRatio(Cell cell, Peer peer) {
    return ratio(cell, peer, Summary::cpuSeconds);
  }

  private OptionalDouble ratio(
      Cell cell, Peer peer, java.util.function.Function<Summary, Optional<Spread>> measure) {
    Summary mine = summaries.get(cell);
    Summary theirs = summaries.get(new Cell(cell.scenario(), cell.mode(), cell.phase(), peer));
    if (mine == null || theirs == null) {
      return OptionalDouble.empty();
    }
    Optional<Spread> a = measure.apply(mine);
    Optional<Spread> b = measure.apply(theirs);
    if (a.isEmpty() || b.isEmpty() || b.get().median() == 0) {
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(a.get().median() / b.get().median());
  }

  /**
   * The summary as a Markdown table: a row per cell, with the Fairlead servers' ratios to
   * go-control-plane and to the stock cache (p50 and CPU; below 1 is better).
   */
  String table() {
    StringBuilder out =
        new StringBuilder(
            "| scenario | mode | phase | server | runs | converged | p50 ms, median (min–max) | server CPU s,"
                + " median (min–max) | peak heap MB | peak RSS MB | p50 / go | CPU / go | p50 / stock | CPU / stock |\n"
                + "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (Summary s : summaries.values()) {
      Cell c = s.cell();
      boolean ours = c.server() == Peer.FAIRLEAD || c.server() == Peer.FAIRLEAD_CACHE;
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s | %s | %d | %d of %d | %s | %s | %s | %s | %s | %s | %s | %s |%n",
              c.scenario(),
              c.mode(),
              c.phase(),
              c.server().label(),
              s.runs(),
              s.converged(),
              s.changes(),
              s.p50Millis().map(p -> p.text("%,.1f")).orElse("—"),
              s.cpuSeconds().map(p -> p.text("%.2f")).orElse("—"),
              megabytes(s.peakHeapMb()),
              megabytes(s.peakRssMb()),
              ours ? ratioText(p50Ratio(c, Peer.GO)) : "",
              ours ? ratioText(cpuRatio(c, Peer.GO)) : "",
              ours ? ratioText(p50Ratio(c, Peer.STOCK)) : "",
              ours ? ratioText(cpuRatio(c, Peer.STOCK)) : ""));
    }
    return out.toString();
  }

  private static String megabytes(OptionalDouble mb) {
    return mb.isPresent() ? String.format(Locale.ROOT, "%.0f", mb.getAsDouble()) : "—";
  }

  private static String ratioText(OptionalDouble ratio) {
    return ratio.isPresent() ? String.format(Locale.ROOT, "%.2f", ratio.getAsDouble()) : "—";
  }
}
