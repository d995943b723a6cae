package dev.fairlead.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The outcome of a finished command: exit code and everything it printed. */
public record CommandResult(List<String> command, int exitCode, String stdout, String stderr) {

  /**
   * Runs a command to completion, bounded by {@code timeout}; a command still running then is
   * killed and reported as failed.
   */
  public static CommandResult run(List<String> command, Duration timeout) {
    return run(command, Path.of("").toAbsolutePath(), timeout);
  }

  /** Like {@link #run(List, Duration)}, in the working directory {@code directory}. */
  public static CommandResult run(List<String> command, Path directory, Duration timeout) {
    return run(command, directory, Map.of(), timeout);
  }

  /**
   * Like {@link #run(List, Path, Duration)}, with {@code environment} added to (or replacing in)
   * this process's environment.
   */
  public static CommandResult run(
      List<String> command, Path directory, Map<String, String> environment, Duration timeout) {
    try {
      Path out = Files.createTempFile("fairlead-cmd", ".out");
      Path err = Files.createTempFile("fairlead-cmd", ".err");
      try {
        ProcessBuilder builder =
            new ProcessBuilder(command)
                .directory(directory.toFile())
                .redirectOutput(out.toFile())
                .redirectError(err.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          throw new IllegalStateException(
              String.join(" ", command) + " did not finish within " + timeout);
        }
        return new CommandResult(
            List.copyOf(command),
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot run " + String.join(" ", command) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while running " + String.join(" ", command), e);
    }
  }

  /** This result, or an exception with the command, its exit code and its error output. */
  public CommandResult requireSuccess() {
    if (exitCode != 0) {
      throw new IllegalStateException(
          String.join(" ", command) + " exited with " + exitCode + ": " + stderr.strip());
    }
    return this;
  }
}
