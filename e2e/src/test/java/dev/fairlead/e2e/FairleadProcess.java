package dev.fairlead.e2e;

import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code fairlead run} as a separate process, from the shaded jar the app module builds (or another
 * build's jar, such as {@link PreviousBuild}'s): what a replica in a pod is, down to being killed
 * with SIGKILL. Output goes to {@code target/fairlead-<name>.log}.
 */
final class FairleadProcess implements AutoCloseable {

  static final Path JAR = Path.of("..", "app", "target", "fairlead.jar");
  private static final Path JAVA = Path.of(System.getProperty("java.home"), "bin", "java");
  private static final Pattern OPTION = Pattern.compile("--[a-z][a-z0-9-]*");

  private final String name;
  private final Process process;
  private final Path log;

  private FairleadProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code fairlead run} of this build with {@code arguments}. */
  static FairleadProcess start(String name, List<String> arguments) {
    return start(name, arguments, Map.of());
  }

  /**
   * Starts {@code fairlead run} of this build with {@code arguments} and {@code environment}; no
   * {@code FAIRLEAD_*} variable of this process is passed on, so the child sees only the ones
   * given.
   */
  static FairleadProcess start(
      String name, List<String> arguments, Map<String, String> environment) {
    return start(name, JAR, arguments, environment);
  }

  /**
   * Starts {@code fairlead run} of the build {@code jar} with {@code arguments} and {@code
   * environment}.
   */
  static FairleadProcess start(
      String name, Path jar, List<String> arguments, Map<String, String> environment) {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar.toAbsolutePath()
              + " is missing: build the app module first "
              + "(./mvnw -pl e2e -am verify does)");
    }
    List<String> command =
        new ArrayList<>(List.of(JAVA.toString(), "-Xmx256m", "-jar", jar.toString(), "run"));
    command.addAll(arguments);
    Path log = Path.of("target", "fairlead-" + name + ".log");
    try {
      Files.createDirectories(log.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
      builder.environment().keySet().removeIf(key -> key.startsWith("FAIRLEAD_"));
      builder.environment().putAll(environment);
      Process process = builder.start();
      return new FairleadProcess(name, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start Fairlead " + name, e);
    }
  }

  /**
   * The long options {@code fairlead run} of the build {@code jar} accepts, read from its {@code
   * --help}: a build from before a flag was added must not be started with it.
   */
  static Set<String> runOptions(Path jar) {
    String help =
        CommandResult.run(
                List.of(JAVA.toString(), "-jar", jar.toString(), "run", "--help"),
                Duration.ofSeconds(60))
            .requireSuccess()
            .stdout();
    Set<String> options = new TreeSet<>();
    Matcher option = OPTION.matcher(help);
    while (option.find()) {
      options.add(option.group());
    }
    return options;
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Its output so far. */
  String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")";
    }
  }

  /** Waits until its output contains {@code text}, failing early if it exits. */
  void awaitLog(String text, Duration timeout) {
    await("Fairlead " + name + " logging \"" + text + "\"")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "Fairlead " + name + " exited with " + process.exitValue() + ":\n" + log());
              }
              return log().contains(text);
            });
  }

  /** SIGKILL: no shutdown hook runs, nothing is released; the Lease is left to expire. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /**
   * SIGSTOP: it stops where it is, holding its connections and whatever it believed, until {@link
   * #resume}: a leader paused past its lease (a long GC pause, a suspended VM).
   */
  void freeze() {
    signal("STOP");
  }

  /**
   * SIGCONT: it goes on from where {@link #freeze} stopped it; nothing if it runs or has exited.
   */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    if (process.isAlive()) {
      CommandResult.run(
              List.of("kill", "-" + name, Long.toString(process.pid())), Duration.ofSeconds(10))
          .requireSuccess();
    }
  }

  /**
   * The arguments of a replica electing a leader on the Lease {@code fairlead} in {@code default},
   * with plaintext servers on fresh loopback ports but {@code xdsPort} and {@code adminPort},
   * discovering Services labelled {@code watchLabels}.
   */
  static List<String> electedReplica(
      RealApiServer apiServer,
      String identity,
      int xdsPort,
      int adminPort,
      String watchLabels,
      Duration leaseDuration) {
    return List.of(
        "--xds-plaintext",
        "--allocator-plaintext",
        "--admin-port",
        Integer.toString(adminPort),
        "--kubeconfig",
        apiServer.kubeconfig().toString(),
        "--watch-labels",
        watchLabels,
        "--xds-port",
        Integer.toString(xdsPort),
        "--allocator-grpc-port",
        Integer.toString(LoopbackPorts.free()),
        "--allocator-http-port",
        Integer.toString(LoopbackPorts.free()),
        "--leader-election-namespace",
        "default",
        "--leader-election-identity",
        identity,
        "--leader-election-lease-duration",
        leaseDuration.toSeconds() + "s");
  }

  /** Who holds the Lease {@code fairlead} in {@code default}, if anyone. */
  static Optional<String> leaseHolder(RealApiServer apiServer) {
    Lease lease = apiServer.client().leases().inNamespace("default").withName("fairlead").get();
    return lease == null || lease.getSpec() == null
        ? Optional.empty()
        : Optional.ofNullable(lease.getSpec().getHolderIdentity()).filter(h -> !h.isEmpty());
  }

  /** SIGTERM, then SIGKILL if it has not exited within 30 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Override
  public String toString() {
    return "Fairlead " + name;
  }
}
