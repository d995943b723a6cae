package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Fairlead's text log format ({@code logback.xml}) keeps a message on its line whatever it quotes:
 * what a peer sends (a proxy's node id, an Envoy NACK) cannot forge a line of its own or drive the
 * terminal.
 */
class LogLineTest {

  @Test
  void aMessageQuotingLineBreaksAndControlCharactersStaysOneLine() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(written, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(LogLineTest.class.getResource("/logback.xml"));
      context
          .getLogger("dev.fairlead.test")
          .warn("Proxy {} rejected", "edge-1\n2026-12-07 INFO forged\r\u001b[31m\tx");
    } finally {
      context.stop();
      System.setOut(out);
    }

    String text = written.toString(StandardCharsets.UTF_8);
    assertThat(text.lines())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .endsWith(
                        "WARN  dev.fairlead.test - Proxy edge-1\\n2026-12-07 INFO forged??[31m\tx rejected"));
  }
}
