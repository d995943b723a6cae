package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fairlead.app.admin.ProxiesDocument;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.StreamRegistry;
import dev.fairlead.xds.translate.Translation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxies of every replica, kept current: every {@value #TICK_MILLIS} ms, and soon after
 * proxies' rejections change, it tallies what this replica's proxies hold of the translation served
 * ({@link ProxyTallies}), publishes that as this replica's record ({@link ReplicaRecords}, when
 * there are other replicas), and adds the live records of the others ({@link FleetView}). When the
 * tallies or rejections change it runs {@code onChange}, so the status feed writes them.
 *
 * <p>Thread-safe: the work runs on its own single thread; {@link #view} and {@link
 * #proxiesDocument} read volatile fields.
 */
final class FleetProxies implements AutoCloseable {

  static final long TICK_MILLIS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(FleetProxies.class);

  private final String replica;
  private final StreamRegistry streams;
  private final XdsCache cache;
  private final Optional<ReplicaRecords> records;
  private final Runnable onChange;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "fairlead-fleet-proxies");
            t.setDaemon(true);
            return t;
          });
  private final AtomicBoolean scheduled = new AtomicBoolean();

  /** The translation served and its objects' types per fleet, computed once per translation. */
  private record Served(
      Translation translation, Map<String, Map<String, Set<ResourceType>>> objects) {}

  private volatile Served served;
  private volatile FleetView view = FleetView.EMPTY;

  FleetProxies(
      String replica,
      StreamRegistry streams,
      XdsCache cache,
      Optional<ReplicaRecords> records,
      Runnable onChange) {
    this.replica = replica;
    this.streams = streams;
    this.cache = cache;
    this.records = records;
    this.onChange = onChange;
    streams.onRejectionsChanged(this::soon);
    var unused =
        executor.scheduleWithFixedDelay(
            this::refreshSafely, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** A new translation is being served. */
  void translated(Translation translation) {
    served = new Served(translation, ProxyTallies.objectTypes(translation));
    soon();
  }

  /** Proxies' rejections or the translation changed: refreshes soon, once for a burst. */
  void soon() {
    if (scheduled.compareAndSet(false, true)) {
      executor.execute(
          () -> {
            scheduled.set(false);
            refreshSafely();
          });
    }
  }

  /** The proxies of every live replica, as of the last refresh. */
  FleetView view() {
    return view;
  }

  /**
   * {@code /debug/proxies}: this replica's proxies in full, as they are now, and the other live
   * replicas' as they last published them.
   */
  ObjectNode proxiesDocument() {
    List<JsonNode> rows = new ArrayList<>(ProxiesDocument.rows(streams.proxies(), replica, true));
    int omitted = 0;
    for (ReplicaProxies peer : records.map(ReplicaRecords::peers).orElse(List.of())) {
      if (!peer.replica().equals(replica)) {
        rows.addAll(peer.proxies());
        omitted += peer.omitted();
      }
    }
    return ProxiesDocument.of(rows, omitted);
  }

  private void refreshSafely() {
    try {
      refresh();
    } catch (RuntimeException e) {
      LOG.warn("Counting the proxies of every replica failed: {}", e.toString(), e);
    }
  }

  private void refresh() {
    Served current = served;
    if (current == null) {
      return;
    }
    ReplicaProxies own =
        ProxyTallies.of(
            replica,
            current.translation(),
            current.objects(),
            streams.proxies(),
            cache::latestChange);
    records.ifPresent(r -> r.publish(own));
    FleetView next = FleetView.of(own, records.map(ReplicaRecords::peers).orElse(List.of()));
    FleetView before = view;
    view = next;
    if (!next.tallies().equals(before.tallies()) || !next.messages().equals(before.messages())) {
      onChange.run();
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
