package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.tls.ServerTransport;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ProxyStatusCommandTest {

  @TempDir Path config;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final CommandLine command =
      new CommandLine(new Fairlead()).setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

  @Test
  void anAdminUrlNobodyAnswersOnExitsNonZeroSayingWhichAndWhy() {
    String url = "http://127.0.0.1:" + LoopbackPorts.free();

    int exit = command.execute("proxy-status", "--admin-url", url);

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString())
        .startsWith(
            "fairlead proxy-status: cannot reach the Fairlead admin server at "
                + url
                + ": connection refused");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void somethingThatIsNotAUrlIsRefusedAsSuch() {
    int exit = command.execute("proxy-status", "--admin-url", "not a url");

    assertThat(exit).isEqualTo(1);
    assertThat(err.toString()).contains("--admin-url not a url is not");
  }

  @Test
  void aRunningFairleadWithoutProxiesGivesTheHeaderAlone() {
    try (StandaloneFairlead fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(
                config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"))) {
      int exit =
          command.execute(
              "proxy-status", "--admin-url", "http://127.0.0.1:" + fairlead.adminPort() + "/");

      assertThat(exit).as(err.toString()).isZero();
      assertThat(out.toString()).startsWith("NAME").contains("CDS").contains("RDS").hasLineCount(1);
    }
  }
}
