package dev.fairlead.bench;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Java server under test as its own process ({@code ServerMain <peer>}), so that its CPU time and
 * memory are its own and not the load generator's. Prints {@code ready <port>}, then applies {@link
 * ControlFrames} from standard input until it ends. Its peak heap is sampled every 20 ms. Logs go
 * to standard error: standard output is the answer channel.
 */
public final class ServerMain {

  private ServerMain() {}

  public static void main(String[] args) throws InterruptedException {
    PrintStream answers =
        new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    AtomicLong peakHeap = new AtomicLong();
    sampleHeap(peakHeap);
    try (ServedTarget target = ServedTarget.start(Peer.ofLabel(args[0]))) {
      answers.println("ready " + target.port());
      // Frames are read as they come (the driver never waits on a full pipe) and applied in order;
      // state frames that queued up meanwhile are coalesced to the last one, as Fairlead's sources
      // coalesce bursts of events (level-triggered). Each is still answered.
      BlockingQueue<Optional<DeltaDiscoveryResponse>> frames = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> read(frames, answers, peakHeap), "frame-reader");
      reader.setDaemon(true);
      reader.start();
      for (Optional<DeltaDiscoveryResponse> next = frames.take();
          next.isPresent();
          next = frames.take()) {
        DeltaDiscoveryResponse frame = next.get();
        switch (frame.getTypeUrl()) {
          case ControlFrames.STATE -> {
            int coalesced = 1;
            while (frames.peek() != null
                && frames.peek().isPresent()
                && frames.peek().get().getTypeUrl().equals(ControlFrames.STATE)) {
              frame = frames.take().get();
              coalesced++;
            }
            target.apply(frame);
            for (int i = 0; i < coalesced; i++) {
              answers.println("ok");
            }
          }
          default -> {
            target.apply(frame);
            if (frame.getTypeUrl().equals(ControlFrames.COMMIT)) {
              answers.println("ok");
            }
          }
        }
      }
    }
  }

  /**
   * Reads frames from standard input into {@code frames} until it ends (then an empty one).
   * Statistics frames are answered at once, ahead of any backlog, so a server that lags can still
   * be measured.
   */
  private static void read(
      BlockingQueue<Optional<DeltaDiscoveryResponse>> frames,
      PrintStream answers,
      AtomicLong peakHeap) {
    DataInputStream in = new DataInputStream(new BufferedInputStream(System.in, 1 << 20));
    try {
      for (Optional<DeltaDiscoveryResponse> frame = ControlFrames.read(in);
          frame.isPresent();
          frame = ControlFrames.read(in)) {
        switch (frame.get().getTypeUrl()) {
          case ControlFrames.STATS -> answers.println("stats " + peakHeap.get());
          case ControlFrames.RESET -> {
            peakHeap.set(0);
            answers.println("reset");
          }
          default -> frames.add(frame);
        }
      }
    } catch (IOException e) {
      System.err.println("Cannot read a frame: " + e);
    }
    frames.add(Optional.empty());
  }

  /**
   * Samples heap in use every 20 ms, as the Go peer does, into {@code peak}; a daemon thread, so it
   * ends with the process.
   */
  private static void sampleHeap(AtomicLong peak) {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    Thread sampler =
        new Thread(
            () -> {
              while (true) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                  Thread.sleep(20);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }
}
