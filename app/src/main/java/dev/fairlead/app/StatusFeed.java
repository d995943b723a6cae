package dev.fairlead.app;

import dev.fairlead.api.params.FleetStatus;
import dev.fairlead.reporter.StatusReport;
import dev.fairlead.xds.translate.Translation;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Keeps the reporter's input current: after every translation and whenever the proxies of every
 * replica change what they hold or reject ({@link FleetProxies} calls {@link #changed}), it builds
 * a complete {@link StatusReport} (verdicts, ready endpoints, rejections traced to their objects
 * and the proxies' tallies, fleets' infrastructure) and hands it over. Notifications only mark the
 * feed dirty; the report is built on the feed's own thread, and a burst of notifications yields one
 * report.
 */
final class StatusFeed implements AutoCloseable {

  private final Supplier<FleetView> proxies;
  private final Consumer<StatusReport> reporter;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "fairlead-status-feed");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** The translation being served and the fleets' infrastructure of the state it came from. */
  private record Served(Translation translation, Map<String, FleetStatus> fleets) {}

  private volatile Served latest;

  /**
   * @param proxies the proxies of every replica, as of now
   */
  StatusFeed(Supplier<FleetView> proxies, Consumer<StatusReport> reporter) {
    this.proxies = proxies;
    this.reporter = reporter;
  }

  /** A new translation is being served; {@code fleets} as {@link StatusReport#fleets()}. */
  void translated(Translation translation, Map<String, FleetStatus> fleets) {
    latest = new Served(translation, Map.copyOf(fleets));
    changed();
  }

  /** What the proxies hold or reject changed. */
  void changed() {
    if (latest != null && scheduled.compareAndSet(false, true)) {
      executor.execute(
          () -> {
            scheduled.set(false);
            Served served = latest;
            Translation translation = served.translation();
            FleetView view = proxies.get();
            reporter.accept(
                new StatusReport(
                    translation.verdicts(),
                    translation.readyEndpoints(),
                    view.rejections(),
                    StatusReport.GATEWAY_CONTROLLER_NAME,
                    served.fleets(),
                    view.tallies()));
          });
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
