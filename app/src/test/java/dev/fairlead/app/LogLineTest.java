package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Fairlead's text log format ({@code logback.xml}) keeps a message on its line whatever it quotes:
 * what a peer sends (a proxy's node id, an Envoy NACK) cannot forge a line of its own or drive the
 * terminal.
 */
class LogLineTest {

  @Test
  void aMessageQuotingLineBreaksAndControlCharactersStaysOneLine() throws Exception {
    String text =
        FairleadLogback.written(
            context ->
                context
                    .getLogger("dev.fairlead.test")
                    .warn("Proxy {} rejected", "edge-1\n2026-12-07 INFO forged\r\u001b[31m\tx"));
    assertThat(text.lines())
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .endsWith(
                        "WARN  dev.fairlead.test - Proxy edge-1\\n2026-12-07 INFO forged??[31m\tx rejected"));
  }
}
