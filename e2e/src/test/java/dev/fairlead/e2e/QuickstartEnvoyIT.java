package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The quickstart as a user runs it (docs/quickstart.md): {@code examples/quickstart/run.sh --check}
 * builds what is missing, starts two backends, Fairlead in standalone mode and a real Envoy, all on
 * loopback, and shows traffic through Envoy, then stops everything. Its output is kept in {@code
 * target/quickstart.log}.
 */
class QuickstartEnvoyIT {

  private static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
  private static final Path LOG = Path.of("target", "quickstart.log");

  @Test
  void theQuickstartScriptShowsBothBackendsThroughEnvoy() throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", "examples/quickstart/run.sh", "--check")
            .directory(REPOSITORY.toFile())
            .redirectErrorStream(true)
            .redirectOutput(LOG.toFile());
    builder.environment().put("ENVOY", Tools.get().envoyBinary().toString());
    Process quickstart = builder.start();
    boolean finished = quickstart.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      quickstart.destroy(); // the script stops what it started on SIGTERM
      quickstart.waitFor(30, TimeUnit.SECONDS);
    }
    String output = Files.readString(LOG);

    assertThat(finished).as("the quickstart finished within 5 minutes:%n%s", output).isTrue();
    assertThat(quickstart.exitValue()).as("exit status of the quickstart:%n%s", output).isZero();
    assertThat(output)
        .contains("curl -s 127.0.0.1:10000/blue/    # blue")
        .contains("curl -s 127.0.0.1:10000/green/    # green")
        .contains("quickstart: Envoy on 127.0.0.1:10000 serves the example");
  }
}
