package dev.fairlead.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The other replicas' records as this replica last saw them, and whether each is live: a replica
 * rewrites its record at least every heartbeat, so one not seen to change for {@code ttl} is of a
 * replica that is gone (killed, cut off, frozen) and no longer counts. Liveness is judged by when
 * this replica saw the change, on its own monotonic clock, so clocks of different machines never
 * need to agree.
 *
 * <p>Thread-safe: a concurrent map of immutable entries.
 */
final class PeerRecords {

  private final String self;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();

  /** One record, by the name of the API object holding it, and when it last changed. */
  private record Seen(String version, ReplicaProxies record, long atNanos) {}

  PeerRecords(String self, Duration ttl, LongSupplier nanoTime) {
    this.self = Objects.requireNonNull(self, "self");
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * The object {@code name} holds {@code record} at {@code version} (its resourceVersion): it
   * counts as fresh if the version is new. A record of this replica itself is ignored.
   */
  void observed(String name, String version, ReplicaProxies record) {
    if (record.replica().equals(self)) {
      return;
    }
    seen.compute(
        name,
        (n, before) ->
            before != null && before.version().equals(version)
                ? before
                : new Seen(version, record, nanoTime.getAsLong()));
  }

  /** The object {@code name} is gone. */
  void removed(String name) {
    seen.remove(name);
  }

  /** The records seen to change within the last {@code ttl}. */
  List<ReplicaProxies> live() {
    long now = nanoTime.getAsLong();
    List<ReplicaProxies> live = new ArrayList<>();
    seen.values()
        .forEach(
            s -> {
              if (now - s.atNanos() < ttlNanos) {
                live.add(s.record());
              }
            });
    return live;
  }

  /**
   * The names of the objects whose records have not changed for {@code age}: those of replicas long
   * gone.
   */
  List<String> olderThan(Duration age) {
    long now = nanoTime.getAsLong();
    List<String> old = new ArrayList<>();
    seen.forEach(
        (name, s) -> {
          if (now - s.atNanos() >= age.toNanos()) {
            old.add(name);
          }
        });
    return old;
  }
}
