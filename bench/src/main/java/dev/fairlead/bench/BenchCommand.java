package dev.fairlead.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code java -jar fairlead-bench.jar <scenario-a|scenario-b|scenario-c|scenario-d|bandwidth|sizes>
 * [--option value]…}: runs a scenario against each server in turn (each in a process of its own,
 * the load generator in this one, warmed up first), prints a Markdown table row per phase, and
 * appends them to {@code --out} (default {@code bench/target/bench-results.md}).
 *
 * <p>Options: {@code --peers fairlead,fairlead-cache,stock,go} · {@code --modes sotw,delta} ·
 * {@code --runs 1} · {@code --clients N} · {@code --upstreams N} · {@code --endpoints N} (of each
 * upstream) · {@code --duration 60} (churn seconds) · {@code --rate 100} (churn changes a second) ·
 * {@code --channels 8} · {@code --event-loops 2} · {@code --timeout 120} (seconds a change may
 * take) · {@code --server-jvm "-Xmx2g"} (options of the Java servers' JVMs, space-separated) ·
 * {@code --server-java /path/to/bin/java} (the Java servers' launcher, another JDK's; default this
 * JVM's) · {@code --server-classpath JAR} (the Java servers' class path, e.g. another build's bench
 * jar, so two builds of a server meet the same load generator; default this JVM's) · {@code
 * --server-cpus 1} and {@code --generator-cpus 0} (the CPUs the servers and this load generator are
 * pinned to, {@code taskset -c} syntax, so that a server's own speed shows).
 *
 * <p>{@code report [--in bench/target/bench-results.md] [--charts DIR]} summarises the rows of a
 * results file over their runs (median and range, ratios to the peers) and draws each scenario as
 * {@code DIR/<scenario>.svg}.
 */
public final class BenchCommand {

  private BenchCommand() {}

  /**
   * Pins every thread of this JVM, and the threads it starts from now on, to {@code cpus} ({@code
   * taskset -a -p -c}).
   */
  private static void pinThisProcess(String cpus) {
    try {
      Process taskset =
          new ProcessBuilder(
                  "taskset", "-a", "-p", "-c", cpus, Long.toString(ProcessHandle.current().pid()))
              .redirectErrorStream(true)
              .start();
      String said = new String(taskset.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (taskset.waitFor() != 0) {
        throw new IllegalArgumentException("--generator-cpus " + cpus + ": taskset said " + said);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("--generator-cpus needs taskset (util-linux)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      System.err.println(
          "usage: fairlead-bench <scenario-a|scenario-b|scenario-c|scenario-d|bandwidth|sizes|report> "
              + "[--option value]…");
      System.exit(2);
    }
    Map<String, String> options = new HashMap<>();
    for (int i = 1; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected an --option, got " + args[i]);
      }
      options.put(args[i].substring(2), args[i + 1]);
    }
    if (args[0].equals("bandwidth")) {
      LoopbackBandwidth.Result result =
          LoopbackBandwidth.measure(
              Long.parseLong(options.getOrDefault("bytes", Long.toString(8L << 30))));
      System.out.println(result);
      return;
    }
    if (args[0].equals("report")) {
      report(
          Path.of(options.getOrDefault("in", "bench/target/bench-results.md")),
          Optional.ofNullable(options.get("charts")).map(Path::of));
      return;
    }
    if (args[0].equals("sizes")) {
      printSizes(Integer.parseInt(options.getOrDefault("upstreams", "1000")));
      return;
    }
    Scenario scenario = Scenario.of(args[0]);
    int runs = Integer.parseInt(options.getOrDefault("runs", "1"));
    List<Peer> peers =
        Arrays.stream(options.getOrDefault("peers", "fairlead,fairlead-cache,stock,go").split(","))
            .map(Peer::ofLabel)
            .toList();
    List<String> modes = List.of(options.getOrDefault("modes", scenario.defaultModes()).split(","));
    List<String> serverJvm =
        List.of(options.getOrDefault("server-jvm", "-Xms256m -Xmx2g -XX:+UseG1GC").split(" "));
    ChildServer.Launch launch =
        new ChildServer.Launch(
            Optional.ofNullable(options.get("server-java")).map(Path::of),
            serverJvm,
            Optional.ofNullable(options.get("server-classpath")),
            Optional.ofNullable(options.get("server-cpus")));
    Optional.ofNullable(options.get("generator-cpus")).ifPresent(BenchCommand::pinThisProcess);
    Path out = Path.of(options.getOrDefault("out", "bench/target/bench-results.md"));
    Files.createDirectories(out.toAbsolutePath().getParent());
    warmUp();
    System.out.println(PhaseResult.header());
    for (int run = 1; run <= runs; run++) {
      for (String mode : modes) {
        for (Peer peer : peers) {
          ScenarioRun.Settings settings =
              new ScenarioRun.Settings(
                  scenario.label(),
                  Integer.parseInt(
                      options.getOrDefault("upstreams", Integer.toString(scenario.upstreams()))),
                  Integer.parseInt(
                      options.getOrDefault(
                          "endpoints", Integer.toString(scenario.endpointsEach()))),
                  Integer.parseInt(
                      options.getOrDefault("clients", Integer.toString(scenario.clients()))),
                  mode.equals("delta"),
                  0,
                  Integer.parseInt(options.getOrDefault("channels", "8")),
                  Integer.parseInt(options.getOrDefault("event-loops", "2")),
                  Duration.ofSeconds(Long.parseLong(options.getOrDefault("timeout", "120"))));
          Path log =
              out.toAbsolutePath()
                  .getParent()
                  .resolve("logs")
                  .resolve(scenario.label() + "-" + peer.label() + "-" + mode + ".log");
          List<PhaseResult> results = new ArrayList<>();
          try (ScenarioRun scenarioRun =
              new ScenarioRun(settings, () -> ChildServer.start(peer, launch, log))) {
            scenario.run(scenarioRun, options, results::add);
          }
          for (PhaseResult result : results) {
            System.out.println(result.row());
            Files.writeString(
                out,
                result.row() + System.lineSeparator(),
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
          }
        }
      }
    }
    System.exit(0);
  }

  /**
   * Prints the summary of the result rows in {@code in} ({@link BenchReport}: medians of the runs
   * with their range, ratios to the peers) and, given {@code charts}, writes each scenario's
   * picture there as {@code <scenario>.svg} ({@link ConvergenceChart}).
   */
  private static void report(Path in, Optional<Path> charts) throws IOException {
    if (!Files.isReadable(in)) {
      System.err.println("report: cannot read " + in + "; run a scenario first, or pass --in FILE");
      System.exit(2);
    }
    BenchReport report = BenchReport.of(Files.readAllLines(in));
    if (report.summaries().isEmpty()) {
      System.err.println("report: " + in + " holds no result rows");
      System.exit(2);
    }
    System.out.print(report.table());
    if (charts.isPresent()) {
      Files.createDirectories(charts.get());
      for (String scenario : report.scenarios()) {
        Path file = charts.get().resolve(scenario + ".svg");
        Files.writeString(file, ConvergenceChart.svg(report, scenario));
        System.out.println("wrote " + file);
      }
    }
  }

  /**
   * What one client must be sent of the generated configuration, per type, packed in {@code Any}s:
   * with a measured loopback bandwidth, the floor under a scenario's convergence.
   */
  private static void printSizes(int upstreams) {
    ResourceSnapshot snapshot =
        ResourceSnapshot.of(new BenchConfig().envoyResources(StateSpec.of(upstreams)));
    for (dev.fairlead.xds.cache.ResourceType type : dev.fairlead.xds.cache.ResourceType.values()) {
      ResourceSnapshot alone = new ResourceSnapshot(Map.of(type, snapshot.encoded().get(type)));
      System.out.printf(
          java.util.Locale.ROOT,
          "%d upstreams: %s %d resources, %d bytes%n",
          upstreams,
          type.shortName(),
          snapshot.encoded().get(type).size(),
          alone.anyBytes());
    }
    System.out.printf(
        java.util.Locale.ROOT,
        "%d upstreams: all %d resources, %d bytes%n",
        upstreams,
        snapshot.size(),
        snapshot.anyBytes());
  }

  /**
   * Runs the load generator's own code hot before anything is measured (against an in-process
   * Fairlead, both modes), so that the first server measured does not pay for compiling the
   * clients.
   */
  private static void warmUp() throws InterruptedException {
    // The in-process server logs each publish; the table is what this command prints.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.fairlead"))
        .setLevel(ch.qos.logback.classic.Level.WARN);
    for (boolean delta : new boolean[] {false, true}) {
      ScenarioRun.Settings settings =
          new ScenarioRun.Settings("warm-up", 500, 1, 50, delta, 0, 2, 2, Duration.ofSeconds(30));
      try (ScenarioRun run = new ScenarioRun(settings, () -> new InProcessServer(Peer.FAIRLEAD))) {
        run.connect("connect");
        run.updateAll("full push");
        run.endpointChanges("endpoints", 20);
      }
    }
  }
}
