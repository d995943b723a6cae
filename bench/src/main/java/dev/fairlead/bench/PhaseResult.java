package dev.fairlead.bench;

import java.util.Locale;
import java.util.Optional;

/**
 * What one phase of a scenario measured against one server in one xDS mode.
 *
 * @param changes changes made in the phase
 * @param converged changes every client converged on in time
 * @param fleetP50Millis over the converged changes, the median time from a change to the last
 *     client holding it
 * @param fleetP99Millis the same, 99th percentile
 * @param fleetMaxMillis the same, maximum
 * @param clientP99Millis over every client and change, the 99th percentile time from a change to
 *     that client holding it
 * @param bytes serialized size of the responses clients received during the phase
 * @param server CPU seconds and peaks of the server during the phase; empty when in process
 * @param loadAverage the machine's one-minute load average at the end of the phase
 */
record PhaseResult(
    String scenario,
    String phase,
    Peer peer,
    String mode,
    int clients,
    int upstreams,
    int changes,
    int converged,
    double fleetP50Millis,
    double fleetP99Millis,
    double fleetMaxMillis,
    double clientP99Millis,
    long bytes,
    long responses,
    long nacks,
    long streamErrors,
    long unexpected,
    Optional<ServerHandle.ServerStats> server,
    double loadAverage) {

  /** How many cells a {@link #row} has. */
  private static final int COLUMNS = 17;

  static String header() {
    return "| scenario | phase | server | mode | clients | upstreams | changes | converged | p50 ms | p99 ms | max ms "
        + "| client p99 ms | MB received | server CPU s | peak heap MB | peak RSS MB | load avg |\n"
        + "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
  }

  /**
   * The result {@code line} shows if it is a {@link #row} (what the benchmark appends to its
   * results file), to the precision the row keeps, with the counters it does not show (responses,
   * NACKs, stream errors, unexpected responses) at 0; empty for any other line (a header, a
   * separator, another table's row, text).
   */
  static Optional<PhaseResult> parse(String line) {
    String trimmed = line.trim();
    if (!trimmed.startsWith("|") || !trimmed.endsWith("|")) {
      return Optional.empty();
    }
    String[] cells = trimmed.substring(1, trimmed.length() - 1).split("\\|", -1);
    if (cells.length != COLUMNS) {
      return Optional.empty();
    }
    for (int i = 0; i < cells.length; i++) {
      cells[i] = cells[i].trim();
    }
    try {
      Peer peer = Peer.ofLabel(cells[2]);
      Optional<ServerHandle.ServerStats> server =
          cells[13].equals("—")
              ? Optional.empty()
              : Optional.of(
                  new ServerHandle.ServerStats(
                      Math.round(Double.parseDouble(cells[13]) * 1e9),
                      Long.parseLong(cells[15]) << 20,
                      Long.parseLong(cells[14]) << 20));
      return Optional.of(
          new PhaseResult(
              cells[0],
              cells[1],
              peer,
              cells[3],
              Integer.parseInt(cells[4]),
              Integer.parseInt(cells[5]),
              Integer.parseInt(cells[6]),
              Integer.parseInt(cells[7]),
              Double.parseDouble(cells[8]),
              Double.parseDouble(cells[9]),
              Double.parseDouble(cells[10]),
              Double.parseDouble(cells[11]),
              Math.round(Double.parseDouble(cells[12]) * 1e6),
              0,
              0,
              0,
              0,
              server,
              Double.parseDouble(cells[16])));
    } catch (IllegalArgumentException e) {
      return Optional.empty(); // not a peer's row or not numbers where a row has them
    }
  }

  String row() {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %s | %d | %d | %d | %d | %.1f | %.1f | %.1f | %.1f | %.1f | %s | %s | %s | %.2f |",
        scenario,
        phase,
        peer.label(),
        mode,
        clients,
        upstreams,
        changes,
        converged,
        fleetP50Millis,
        fleetP99Millis,
        fleetMaxMillis,
        clientP99Millis,
        bytes / 1e6,
        server.map(s -> String.format(Locale.ROOT, "%.2f", s.cpuNanos() / 1e9)).orElse("—"),
        server.map(s -> Long.toString(s.peakHeapBytes() >> 20)).orElse("—"),
        server.map(s -> Long.toString(s.peakRssBytes() >> 20)).orElse("—"),
        loadAverage);
  }
}
