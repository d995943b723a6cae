package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real toxiproxy between a test and a loopback echo server: what each fault does to the
 * connections through it.
 */
class FaultyLinksIT {

  private static ServerSocket echo;
  private static final ExecutorService ECHOES = Executors.newCachedThreadPool();
  private static FaultyLinks links;

  @BeforeAll
  static void start() throws IOException {
    echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    ECHOES.execute(
        () -> {
          while (!echo.isClosed()) {
            try {
              Socket socket = echo.accept();
              ECHOES.execute(() -> echo(socket));
            } catch (IOException closed) {
              return;
            }
          }
        });
    links = FaultyLinks.start();
  }

  /** Sends back what arrives until the peer closes. */
  private static void echo(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      in.transferTo(out);
    } catch (IOException gone) {
      // the test closed its end, or the link dropped it: nothing to echo any more
    }
  }

  @AfterAll
  static void stop() throws IOException {
    links.close();
    echo.close();
    ECHOES.shutdownNow();
  }

  @Test
  void aCutLinkCarriesNothingOnOldOrNewConnectionsUntilHealed() throws IOException {
    FaultyLinks.Link link = links.link("cut", echo.getLocalPort());
    try (Socket before = connect(link)) {
      assertThat(roundTrip(before, "one")).isEqualTo("one");

      link.cut();
      assertThatThrownBy(() -> roundTrip(before, "two")).isInstanceOf(SocketTimeoutException.class);
      try (Socket during = connect(link)) {
        assertThatThrownBy(() -> roundTrip(during, "three"))
            .isInstanceOf(SocketTimeoutException.class);
      }

      link.heal();
      try (Socket after = connect(link)) {
        assertThat(roundTrip(after, "four")).isEqualTo("four");
      }
    }
  }

  @Test
  void aSlowLinkDelaysEachWayAndHealsBackToFast() throws IOException {
    FaultyLinks.Link link = links.link("slow", echo.getLocalPort());
    try (Socket socket = connect(link)) {
      link.slow(Duration.ofMillis(300), Duration.ZERO);
      long start = System.nanoTime();
      assertThat(roundTrip(socket, "slow")).isEqualTo("slow");
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThanOrEqualTo(Duration.ofMillis(600));

      link.heal();
      assertThat(roundTrip(socket, "fast")).isEqualTo("fast");
    }
  }

  private static Socket connect(FaultyLinks.Link link) throws IOException {
    Socket socket = new Socket();
    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), link.port()), 2_000);
    socket.setSoTimeout(2_000);
    return socket;
  }

  private static String roundTrip(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    byte[] back = socket.getInputStream().readNBytes(text.length());
    return new String(back, java.nio.charset.StandardCharsets.US_ASCII);
  }
}
