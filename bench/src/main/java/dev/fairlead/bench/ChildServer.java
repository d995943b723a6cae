package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A server under test in a process of its own (a JVM running {@link ServerMain}, or the Go peer),
 * driven over its standard input and output ({@link ControlFrames}); its log goes to a file. CPU
 * time and peak resident set come from {@code /proc/<pid>}, peak heap from the server itself.
 */
final class ChildServer implements ServerHandle {

  /**
   * Linux's clock ticks per second for {@code /proc/<pid>/stat} ({@code getconf CLK_TCK}; 100 on
   * x86-64).
   */
  private static final long CLOCK_TICKS_PER_SECOND = 100;

  private final Peer peer;
  private final Process process;
  private final DataOutputStream frames;
  private final BufferedReader answers;
  private final int port;
  private int unanswered;

  private ChildServer(Peer peer, Process process) throws IOException {
    this.peer = peer;
    this.process = process;
    this.frames =
        new DataOutputStream(new BufferedOutputStream(process.getOutputStream(), 1 << 20));
    this.answers =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    // The JVM itself may print first (e.g. -XX:StartFlightRecording's notice).
    String ready = answer();
    for (int skipped = 0; !ready.startsWith("ready ") && skipped < 20; skipped++) {
      ready = answer();
    }
    if (!ready.startsWith("ready ")) {
      throw new IllegalStateException(
          peer.label() + " server said '" + ready + "' instead of 'ready <port>'");
    }
    this.port = Integer.parseInt(ready.substring("ready ".length()).trim());
  }

  /**
   * How the servers are started.
   *
   * @param java the {@code java} launcher of the Java servers; empty for this JVM's
   * @param jvmOptions options of the Java servers' JVMs (heap size, profiling)
   * @param classpath the Java servers' class path (another build's bench jar, to compare two builds
   *     of the server under one load generator); empty for this JVM's
   * @param cpus the CPUs every server is pinned to ({@code taskset -c} syntax, e.g. {@code 1});
   *     empty for all
   */
  record Launch(
      Optional<Path> java,
      List<String> jvmOptions,
      Optional<String> classpath,
      Optional<String> cpus) {}

  /**
   * Starts the server of {@code peer} as {@code launch} says, and says on standard error how long
   * it took to say it is ready (a Java server: its JVM's start, class loading, its first state not
   * yet sent).
   *
   * @param log the file its standard error is appended to
   */
  static ChildServer start(Peer peer, Launch launch, Path log) {
    List<String> command = new ArrayList<>();
    launch.cpus().ifPresent(cpus -> command.addAll(List.of("taskset", "-c", cpus)));
    if (peer == Peer.GO) {
      command.add(GoPeer.binary().toString());
    } else {
      command.add(
          launch.java().orElse(Path.of(System.getProperty("java.home"), "bin", "java")).toString());
      command.addAll(launch.jvmOptions());
      command.addAll(
          List.of(
              "-cp",
              launch.classpath().orElse(System.getProperty("java.class.path")),
              ServerMain.class.getName(),
              peer.label()));
    }
    try {
      Files.createDirectories(log.getParent());
      long started = System.nanoTime();
      Process process =
          new ProcessBuilder(command)
              .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      ChildServer server = new ChildServer(peer, process);
      System.err.printf(
          "%s server ready in %d ms%n",
          peer.label(), Duration.ofNanos(System.nanoTime() - started).toMillis());
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the " + peer.label() + " server: " + command, e);
    }
  }

  @Override
  public Peer peer() {
    return peer;
  }

  @Override
  public int port() {
    return port;
  }

  @Override
  public void send(List<DeltaDiscoveryResponse> toSend) {
    sendPipelined(toSend);
    awaitPipelined();
  }

  @Override
  public void sendPipelined(List<DeltaDiscoveryResponse> toSend) {
    try {
      for (DeltaDiscoveryResponse frame : toSend) {
        ControlFrames.write(frames, frame);
        if (frame.getTypeUrl().equals(ControlFrames.COMMIT)
            || frame.getTypeUrl().equals(ControlFrames.STATE)) {
          unanswered++;
        }
      }
      frames.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot talk to the " + peer.label() + " server", e);
    }
  }

  @Override
  public void awaitPipelined() {
    try {
      for (; unanswered > 0; unanswered--) {
        String answer = answer();
        if (!answer.equals("ok")) {
          throw new IllegalStateException(
              peer.label() + " server answered '" + answer + "' instead of 'ok'");
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot talk to the " + peer.label() + " server", e);
    }
  }

  @Override
  public Optional<ServerStats> stats() {
    try {
      ControlFrames.write(frames, ControlFrames.command(ControlFrames.STATS));
      frames.flush();
      String answer = answerSkippingAcknowledgements();
      long heap = Long.parseLong(answer.substring("stats ".length()).trim());
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      long rssKb =
          Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status")).stream()
              .filter(line -> line.startsWith("VmHWM:"))
              .findFirst()
              .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
              .orElse(0L);
      return Optional.of(
          new ServerStats(ticks * 1_000_000_000L / CLOCK_TICKS_PER_SECOND, rssKb * 1024, heap));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the " + peer.label() + " server's statistics", e);
    }
  }

  @Override
  public void resetPeaks() {
    try {
      Files.writeString(Path.of("/proc", Long.toString(process.pid()), "clear_refs"), "5");
      ControlFrames.write(frames, ControlFrames.command(ControlFrames.RESET));
      frames.flush();
      String answer = answerSkippingAcknowledgements();
      if (!answer.equals("reset")) {
        throw new IllegalStateException(
            peer.label() + " server answered '" + answer + "' to a reset");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reset the " + peer.label() + " server's peaks", e);
    }
  }

  @Override
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    try {
      frames.close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    } catch (IOException e) {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill();
    }
  }

  /**
   * The next answer that is not an {@code ok} of a pipelined send (those may come before or after
   * it).
   */
  private String answerSkippingAcknowledgements() throws IOException {
    String answer = answer();
    while (answer.equals("ok") && unanswered > 0) {
      unanswered--;
      answer = answer();
    }
    return answer;
  }

  private String answer() throws IOException {
    String line = answers.readLine();
    if (line == null) {
      throw new IOException(
          "the "
              + peer.label()
              + " server exited (code "
              + (process.isAlive() ? "still running" : process.exitValue())
              + "); see its log");
    }
    return line;
  }
}
