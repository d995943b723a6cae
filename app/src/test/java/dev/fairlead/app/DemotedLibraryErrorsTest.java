package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.ClosedChannelException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With Fairlead's {@code logback.xml}, fabric8's ERROR for a watch closed after its connection had
 * gone comes out at WARN, once; the logger's other errors stay ERROR.
 */
class DemotedLibraryErrorsTest {

  @Test
  void aQueuedCloseOnAClosedConnectionIsAWarningAndEverythingElsePasses() throws Exception {
    List<String> lines =
        FairleadLogback.written(
                context -> {
                  org.slf4j.Logger webSocket = context.getLogger(DemotedLibraryErrors.WEB_SOCKET);
                  webSocket.error(DemotedLibraryErrors.QUEUED_CLOSE, new ClosedChannelException());
                  webSocket.error("Queued write did not succeed", new ClosedChannelException());
                  context.getLogger("io.fabric8.other").error(DemotedLibraryErrors.QUEUED_CLOSE);
                })
            .lines()
            .toList();

    assertThat(lines.stream().filter(l -> !l.startsWith("java.") && !l.startsWith("\t")))
        .hasSize(3)
        .satisfiesExactly(
            close ->
                assertThat(close)
                    .contains(
                        "WARN  i.f.k.client.vertx.VertxWebSocket - Queued close did not succeed:"
                            + " the watch's connection had already closed"),
            write ->
                assertThat(write)
                    .contains(
                        "ERROR i.f.k.client.vertx.VertxWebSocket - Queued write did not succeed"),
            other ->
                assertThat(other)
                    .contains("ERROR io.fabric8.other - Queued close did not succeed"));
    assertThat(lines).anyMatch(l -> l.startsWith("java.nio.channels.ClosedChannelException"));
  }
}
