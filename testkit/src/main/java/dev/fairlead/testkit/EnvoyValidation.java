package dev.fairlead.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.opentest4j.AssertionFailedError;

/**
 * {@code envoy --mode validate} of the provisioned Envoy: proves a real Envoy accepts a
 * configuration without starting it. Envoy's output is kept beside the file, as {@code <file>.log}.
 */
public final class EnvoyValidation {

  private EnvoyValidation() {}

  /**
   * Fails unless the provisioned Envoy validates {@code bootstrap} (with {@code extraArgs} on its
   * command line) within two minutes, exiting 0 without a single deprecation warning.
   */
  public static void assertValid(Path bootstrap, String... extraArgs)
      throws IOException, InterruptedException {
    Path log = bootstrap.resolveSibling(bootstrap.getFileName() + ".log");
    List<String> command =
        new ArrayList<>(
            List.of(
                Tools.get().envoyBinary().toString(),
                "--mode",
                "validate",
                "--disable-hot-restart",
                "--log-level",
                "warn"));
    command.addAll(List.of(extraArgs));
    command.addAll(List.of("-c", bootstrap.toAbsolutePath().toString()));
    Process envoy =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    boolean exited = envoy.waitFor(2, TimeUnit.MINUTES);
    if (!exited) {
      envoy.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    if (!exited) {
      throw new AssertionFailedError(
          "envoy --mode validate " + bootstrap + " did not finish in two minutes:\n" + output);
    }
    if (envoy.exitValue() != 0) {
      throw new AssertionFailedError(
          "envoy --mode validate " + bootstrap + " exited " + envoy.exitValue() + ":\n" + output);
    }
    if (output.toLowerCase(Locale.ROOT).contains("deprecated")) {
      throw new AssertionFailedError(
          "envoy --mode validate " + bootstrap + " warned of something deprecated:\n" + output);
    }
  }
}
