package dev.fairlead.app;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.reporter.StatusReport;
import dev.fairlead.xds.server.StreamRegistry;
import dev.fairlead.xds.translate.Translation;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Keeps the reporter's input current: after every translation and whenever proxies' rejections change, it
 * builds a complete {@link StatusReport} (verdicts, ready endpoints, rejections traced to their objects, fleets'
 * infrastructure) and hands it over. Notifications arrive on source and xDS threads and only mark the feed dirty; the report is built on the
 * feed's own thread, and a burst of notifications yields one report.
 */
final class StatusFeed implements AutoCloseable {

  private final StreamRegistry streams;
  private final Consumer<StatusReport> reporter;
  private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "fairlead-status-feed");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean scheduled = new AtomicBoolean();
  /** The translation being served and the fleets' infrastructure of the state it came from. */
  private record Served(Translation translation, Map<String, FleetStatus> fleets) {
  }

  private volatile Served latest;

  StatusFeed(StreamRegistry streams, Consumer<StatusReport> reporter) {
    this.streams = streams;
    this.reporter = reporter;
    streams.onRejectionsChanged(this::changed);
  }

  /** A new translation is being served; {@code fleets} as {@link StatusReport#fleets()}. */
  void translated(Translation translation, Map<String, FleetStatus> fleets) {
    latest = new Served(translation, Map.copyOf(fleets));
    changed();
  }

  private void changed() {
    if (latest != null && scheduled.compareAndSet(false, true)) {
      executor.execute(() -> {
        scheduled.set(false);
        Served served = latest;
        Translation translation = served.translation();
        reporter.accept(new StatusReport(translation.verdicts(), translation.readyEndpoints(),
            ProxyRejections.of(translation, streams.currentNacks()), StatusReport.GATEWAY_CONTROLLER_NAME,
            served.fleets()));
      });
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
