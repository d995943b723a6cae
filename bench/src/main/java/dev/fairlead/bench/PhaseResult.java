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

  static String header() {
    return "| scenario | phase | server | mode | clients | upstreams | changes | converged | p50 ms | p99 ms | max ms "
        + "| client p99 ms | MB received | server CPU s | peak heap MB | peak RSS MB | load avg |\n"
        + "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
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
