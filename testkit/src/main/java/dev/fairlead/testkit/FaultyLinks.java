package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import eu.rekawek.toxiproxy.Proxy;
import eu.rekawek.toxiproxy.ToxiproxyClient;
import eu.rekawek.toxiproxy.model.ToxicDirection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * TCP links whose faults a test controls: one toxiproxy server (provisioned by {@code
 * scripts/provision.sh}) on 127.0.0.1, and for each {@link #link} a port on 127.0.0.1 that relays
 * to a loopback upstream, which a test can cut off, slow down and heal while the processes on both
 * ends run on.
 *
 * <p>Why links rather than a network namespace with a packet filter rule, or netem: the soak's API
 * server, replicas, Envoy and backends all share the root namespace's loopback, where a packet
 * filter or a netem qdisc would hit every connection at once. A link confines the fault to exactly
 * the connections of the one process given its port (a replica's kubeconfig), and toxiproxy is the
 * tool the field uses for this (Shopify's, with a maintained Java client).
 *
 * <p>Thread-safe (each call is one request to toxiproxy's API); {@link #close()} stops the server
 * and with it every link.
 */
public final class FaultyLinks implements AutoCloseable {

  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  private final Process server;
  private final ToxiproxyClient client;

  private FaultyLinks(Process server, ToxiproxyClient client) {
    this.server = server;
    this.client = client;
  }

  /**
   * Starts toxiproxy on a free loopback port, its log in {@code target/toxiproxy.log}, and waits
   * for its API.
   */
  public static FaultyLinks start() {
    Path binary = binary();
    int port = LoopbackPorts.free();
    Path log = Path.of("target", "toxiproxy.log");
    Process process;
    try {
      Files.createDirectories(log.getParent());
      process =
          new ProcessBuilder(
                  List.of(binary.toString(), "-host", "127.0.0.1", "-port", Integer.toString(port)))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start toxiproxy " + binary, e);
    }
    ToxiproxyClient client = new ToxiproxyClient("127.0.0.1", port);
    FaultyLinks links = new FaultyLinks(process, client);
    try {
      await("toxiproxy's API on 127.0.0.1:" + port)
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "toxiproxy exited with " + process.exitValue() + "; see " + log);
                }
                return !client.version().isBlank();
              });
    } catch (RuntimeException e) {
      links.close();
      throw e;
    }
    return links;
  }

  private static Path binary() {
    Path file = Tools.cacheDir().resolve("tools.properties");
    Properties p = Tools.properties(file);
    String path = p.getProperty("toxiproxy.path", "").trim();
    if (path.isEmpty() || !Files.isExecutable(Path.of(path))) {
      throw new IllegalStateException(
          file + " names no toxiproxy: run scripts/provision.sh again.");
    }
    return Path.of(path);
  }

  /**
   * A new link named {@code name} from a free loopback port to {@code 127.0.0.1:upstreamPort},
   * healthy.
   */
  public Link link(String name, int upstreamPort) {
    int port = LoopbackPorts.free();
    try {
      return new Link(
          client.createProxy(name, "127.0.0.1:" + port, "127.0.0.1:" + upstreamPort), port);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the toxiproxy link " + name, e);
    }
  }

  @Override
  public void close() {
    server.destroy();
    try {
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      server.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * One relayed port and the faults on it; at most one fault at a time, {@link #heal()} ends it.
   */
  public static final class Link {
    private static final String CUT_UP = "cut-upstream";
    private static final String CUT_DOWN = "cut-downstream";
    private static final String SLOW_UP = "slow-upstream";
    private static final String SLOW_DOWN = "slow-downstream";

    private final Proxy proxy;
    private final int port;

    private Link(Proxy proxy, int port) {
      this.proxy = proxy;
      this.port = port;
    }

    /** The loopback port that relays to the upstream. */
    public int port() {
      return port;
    }

    /**
     * Nothing gets through either way, on open connections and new ones alike, and nothing is
     * closed: to the process on this side, the peer has gone silent, as behind a dropped route.
     */
    public void cut() {
      call(
          () -> {
            proxy.toxics().timeout(CUT_UP, ToxicDirection.UPSTREAM, 0);
            proxy.toxics().timeout(CUT_DOWN, ToxicDirection.DOWNSTREAM, 0);
          });
    }

    /**
     * Every chunk waits {@code latency} (± {@code jitter}) in each direction: a round trip costs
     * twice that.
     */
    public void slow(Duration latency, Duration jitter) {
      call(
          () -> {
            proxy
                .toxics()
                .latency(SLOW_UP, ToxicDirection.UPSTREAM, latency.toMillis())
                .setJitter(jitter.toMillis());
            proxy
                .toxics()
                .latency(SLOW_DOWN, ToxicDirection.DOWNSTREAM, latency.toMillis())
                .setJitter(jitter.toMillis());
          });
    }

    /**
     * Ends the fault. After a cut, the connections open through it are closed too: toxiproxy
     * dropped what was sent during the cut rather than holding it, so their byte streams (TLS)
     * cannot go on — as a long enough partition ends the connections across it anyway. The process
     * on this side reconnects.
     */
    public void heal() {
      call(
          () -> {
            boolean wasCut = false;
            for (var toxic : proxy.toxics().getAll()) {
              wasCut |= toxic.getName().startsWith("cut-");
              toxic.remove();
            }
            if (wasCut) {
              proxy.disable();
              proxy.enable();
            }
          });
    }

    private static void call(IoAction action) {
      try {
        action.run();
      } catch (IOException e) {
        throw new UncheckedIOException("toxiproxy refused a change of a link", e);
      }
    }

    @FunctionalInterface
    private interface IoAction {
      void run() throws IOException;
    }
  }
}
