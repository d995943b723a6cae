package dev.fairlead.bench;

import dev.fairlead.xds.cache.ResourceType;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * When each client came to hold each change. The driver registers a change ({@link #expect}) before
 * handing it to the server: the resources every client must come to hold with a given fingerprint,
 * or drop. Clients report every change of what they hold ({@link #observe}, from their streams'
 * threads); a client has converged on a change once it has gone through all of that change's
 * transitions. A change's convergence time is from its start to the last client converging.
 *
 * <p>Thread-safe: changes are found through a {@link ConcurrentHashMap}, and per-client progress is
 * kept in atomic arrays, so any number of stream threads may report at once. A client that NACKs is
 * not waited for on the changes registered before ({@link #rejected}).
 */
final class Convergence {

  private final int clients;
  private final ResourceIds ids;
  private final ConcurrentHashMap<Key, Change> pending = new ConcurrentHashMap<>();
  private final Queue<Change> changes = new ConcurrentLinkedQueue<>();

  Convergence(int clients, ResourceIds ids) {
    this.clients = clients;
    this.ids = ids;
  }

  /**
   * Registers a change starting at {@code startNanos} ({@link System#nanoTime()}); call before
   * applying it.
   */
  Change expect(List<ResourceSnapshot.Transition> transitions, long startNanos) {
    Change change = new Change(startNanos, transitions.size(), clients);
    for (ResourceSnapshot.Transition transition : transitions) {
      int id = ids.id(transition.type(), transition.name());
      if (id < 0) {
        throw new IllegalArgumentException(
            "the change names "
                + transition.type().shortName()
                + " "
                + transition.name()
                + ", which is not among the scenario's resources");
      }
      pending.put(new Key(transition.type(), id, transition.fingerprint()), change);
    }
    changes.add(change);
    return change;
  }

  /**
   * A client came to hold resource {@code id} of {@code type} with {@code fingerprint} (or dropped
   * it) at {@code nanos}.
   */
  void observe(int client, ResourceType type, int id, long fingerprint, long nanos) {
    Change change = pending.get(new Key(type, id, fingerprint));
    if (change != null) {
      change.arrived(client, nanos);
    }
  }

  /**
   * A client rejected a response (a NACK): like Envoy, it keeps what it had, so it is not waited
   * for on the changes registered so far; it must converge on later ones.
   */
  void rejected(int client) {
    changes.forEach(change -> change.exclude(client));
  }

  private record Key(ResourceType type, int id, long fingerprint) {}

  /** One change: per client, the transitions still to go and when the last one came. */
  static final class Change {

    private final long startNanos;
    private final int transitions;
    private final AtomicIntegerArray remaining;
    private final AtomicLongArray convergedAt;
    private final AtomicInteger converged = new AtomicInteger();

    private Change(long startNanos, int transitions, int clients) {
      this.startNanos = startNanos;
      this.transitions = transitions;
      this.remaining = new AtomicIntegerArray(clients);
      this.convergedAt = new AtomicLongArray(clients);
      for (int client = 0; client < clients; client++) {
        remaining.set(client, transitions);
      }
      if (transitions == 0) {
        converged.set(clients);
      }
    }

    private void arrived(int client, long nanos) {
      if (remaining.decrementAndGet(client) == 0) {
        convergedAt.set(client, nanos);
        converged.incrementAndGet();
      }
    }

    private void exclude(int client) {
      int left = remaining.getAndSet(client, Integer.MIN_VALUE / 2);
      if (left > 0) {
        converged.incrementAndGet();
      }
    }

    /** Whether every client converged within {@code timeout}; polls every millisecond. */
    boolean await(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (converged.get() < remaining.length()) {
        if (System.nanoTime() > deadline) {
          return false;
        }
        TimeUnit.MILLISECONDS.sleep(1);
      }
      return true;
    }

    /** From the start to the last client converging; empty while a client has not. */
    OptionalLong fleetNanos() {
      if (converged.get() < remaining.length()) {
        return OptionalLong.empty();
      }
      long last = startNanos;
      for (int client = 0; client < convergedAt.length(); client++) {
        last = Math.max(last, convergedAt.get(client));
      }
      return OptionalLong.of(last - startNanos);
    }

    /** Adds each converged client's time from the start, in microseconds. */
    void recordClients(Histogram micros) {
      for (int client = 0; client < convergedAt.length(); client++) {
        if (remaining.get(client) == 0 && transitions > 0) {
          micros.recordValue(Math.max(0, (convergedAt.get(client) - startNanos) / 1000));
        }
      }
    }
  }
}
