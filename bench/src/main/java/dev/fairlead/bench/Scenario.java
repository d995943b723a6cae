package dev.fairlead.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Consumer;

/** The scenarios of BENCHMARKS.md: their sizes and phases. */
enum Scenario {
  /** 1,000 upstreams × 100 clients: connect, a full push, ten single-endpoint changes. */
  A(1_000, 100, "sotw,delta") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      results.accept(run.connect("connect"));
      results.accept(run.updateAll("full push"));
      results.accept(run.endpointChanges("1 endpoint ×10", 10));
    }
  },
  /**
   * 10,000 upstreams × 1,000 clients: connect and a full push (every cluster and endpoint changes).
   */
  B(10_000, 1_000, "sotw,delta") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      results.accept(run.connect("connect"));
      results.accept(run.updateAll("full push"));
    }
  },
  /** Endpoint churn: 100 changes a second for 60 s, 1,000 upstreams × 1,000 clients. */
  C(1_000, 1_000, "delta,sotw") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      results.accept(run.connect("connect"));
      results.accept(
          run.churn(
              "churn",
              Integer.parseInt(options.getOrDefault("rate", "100")),
              Duration.ofSeconds(Long.parseLong(options.getOrDefault("duration", "60")))));
    }
  },
  /**
   * 1,000 clients connecting at once (1,000 upstreams): cold start; then (delta) the server
   * restarts, a change and a deletion happen meanwhile, and every client reconnects at once with
   * its initial_resource_versions.
   */
  D(1_000, 1_000, "sotw,delta") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      results.accept(run.connect("cold start"));
      results.accept(run.restart("restart"));
    }
  },
  /**
   * Fleet scale: 10,000 clients of 100 upstreams. The server idle before any client connects, every
   * client connecting at once, the server idle with all of them connected (its heap and resident
   * set over the first idle phase's: the memory a connected proxy costs), then one endpoint change
   * reaching them all.
   */
  E(100, 1, 10_000, "sotw,delta") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      Duration idle = Duration.ofSeconds(Long.parseLong(options.getOrDefault("idle", "10")));
      results.accept(run.idle("idle, no clients", idle));
      results.accept(run.connect("connect"));
      results.accept(run.idle("idle, all connected", idle));
      results.accept(run.endpointChanges("1 endpoint", 1));
    }
  },
  /**
   * One Service of 100,000 endpoints (in EndpointSlices of 100) behind one upstream, 10 clients:
   * what its ClusterLoadAssignment costs to send, and to change when one endpoint moves.
   */
  E_EDS(1, 100_000, 10, "sotw,delta") {
    @Override
    void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
        throws InterruptedException {
      results.accept(run.connect("connect"));
      results.accept(run.endpointChanges("1 endpoint ×10", 10));
    }
  };

  private final int upstreams;
  private final int endpointsEach;
  private final int clients;
  private final String defaultModes;

  Scenario(int upstreams, int clients, String defaultModes) {
    this(upstreams, 1, clients, defaultModes);
  }

  Scenario(int upstreams, int endpointsEach, int clients, String defaultModes) {
    this.upstreams = upstreams;
    this.endpointsEach = endpointsEach;
    this.clients = clients;
    this.defaultModes = defaultModes;
  }

  int endpointsEach() {
    return endpointsEach;
  }

  abstract void run(ScenarioRun run, Map<String, String> options, Consumer<PhaseResult> results)
      throws InterruptedException;

  int upstreams() {
    return upstreams;
  }

  int clients() {
    return clients;
  }

  String defaultModes() {
    return defaultModes;
  }

  String label() {
    return "scenario-" + name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  static Scenario of(String label) {
    return Arrays.stream(values())
        .filter(s -> s.label().equals(label))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no scenario '"
                        + label
                        + "'; there are "
                        + Arrays.stream(values()).map(Scenario::label).toList()));
  }
}
