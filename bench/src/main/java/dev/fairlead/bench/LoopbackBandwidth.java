package dev.fairlead.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The floor under every scenario: how fast this machine moves bytes over one loopback TCP
 * connection, one thread writing 1 MiB buffers and one reading, for a bounded number of bytes.
 * 127.0.0.1 only.
 */
final class LoopbackBandwidth {

  private LoopbackBandwidth() {}

  record Result(long bytes, long nanos) {

    double bytesPerSecond() {
      return bytes * 1e9 / nanos;
    }

    @Override
    public String toString() {
      return String.format(
          Locale.ROOT,
          "loopback TCP: %.2f GB in %.2f s = %.2f GB/s (load average %.2f)",
          bytes / 1e9,
          nanos / 1e9,
          bytesPerSecond() / 1e9,
          ScenarioRun.loadAverage());
    }
  }

  static Result measure(long bytes) throws IOException, InterruptedException {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicLong read = new AtomicLong();
      Thread reader =
          new Thread(
              () -> {
                try (Socket socket = server.accept();
                    InputStream in = socket.getInputStream()) {
                  byte[] buffer = new byte[1 << 20];
                  for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    read.addAndGet(n);
                  }
                } catch (IOException e) {
                  throw new IllegalStateException("loopback reader failed", e);
                }
              },
              "loopback-reader");
      reader.start();
      byte[] buffer = new byte[1 << 20];
      long start = System.nanoTime();
      try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
          OutputStream out = socket.getOutputStream()) {
        for (long sent = 0; sent < bytes; sent += buffer.length) {
          out.write(buffer);
        }
      }
      reader.join();
      return new Result(read.get(), System.nanoTime() - start);
    }
  }
}
