package dev.fairlead.xds.server;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * How many bytes of responses the whole server has handed to gRPC that its streams have not taken
 * up yet — the serialized messages sitting in Netty's (direct) buffers. Without a bound, a full
 * push of 10,000 upstreams to 1,000 proxies serializes 1,000 copies of a 2 MB response at once;
 * with one, a stream's response is written when the stream can take it and the bytes in flight
 * across all streams stay under the budget.
 *
 * <p>A stream's bytes count from the moment its response is written until gRPC says the stream is
 * ready again (its buffered bytes drained below gRPC's own per-stream threshold). A message larger
 * than the whole budget is written alone. A stream whose proxy stops reading cannot hold the budget
 * forever: once the oldest charge is older than {@code staleNanos} it stops counting (its buffers
 * are the proxy's connection's problem, bounded by HTTP/2 flow control and keepalive), so one stuck
 * proxy delays the others by at most that long, once.
 *
 * <p>Thread-safe. Streams that found the budget spent wait in line and are woken, oldest first, as
 * bytes are released; waking runs their {@link Sender#drain} on the releasing thread, outside this
 * object's lock.
 */
final class SendBudget {

  /** A stream's way out ({@link Outbound}), as the budget sees it. */
  interface Sender {
    /** Writes what the stream has queued, as far as it and the budget allow. */
    void drain();
  }

  private final long limitBytes;
  private final long staleNanos;
  private final LongSupplier nanoTime;
  private long usedBytes;

  /** Streams holding part of the budget, oldest charge first. */
  private final Map<Sender, Charge> charged = new LinkedHashMap<>();

  /** Streams waiting for room, in the order they found none. */
  private final Set<Sender> waiting = new LinkedHashSet<>();

  SendBudget(long limitBytes, long staleNanos) {
    this(limitBytes, staleNanos, System::nanoTime);
  }

  /**
   * @param nanoTime the clock charges age by
   */
  SendBudget(long limitBytes, long staleNanos, LongSupplier nanoTime) {
    if (limitBytes <= 0) {
      throw new IllegalArgumentException("The send budget must be positive: " + limitBytes);
    }
    this.limitBytes = limitBytes;
    this.staleNanos = staleNanos;
    this.nanoTime = nanoTime;
  }

  /**
   * Takes {@code bytes} for {@code stream} if the budget has room (or nothing is in flight);
   * otherwise puts the stream in line to be woken and returns false.
   */
  synchronized boolean tryAcquire(Sender stream, long bytes) {
    forfeitStale(nanoTime.getAsLong());
    if (usedBytes == 0 || usedBytes + bytes <= limitBytes) {
      usedBytes += bytes;
      charged.computeIfAbsent(stream, s -> new Charge(nanoTime.getAsLong())).bytes += bytes;
      return true;
    }
    waiting.add(stream);
    return false;
  }

  /**
   * Gives back everything {@code stream} holds (it is ready again) and wakes streams in line while
   * there is room.
   */
  void release(Sender stream) {
    int toWake;
    synchronized (this) {
      Charge charge = charged.remove(stream);
      if (charge == null) {
        return;
      }
      usedBytes -= charge.bytes;
      toWake = waiting.size();
    }
    wake(toWake);
  }

  /** {@code stream} closed: gives back what it holds and takes it out of line. */
  void forget(Sender stream) {
    synchronized (this) {
      waiting.remove(stream);
    }
    release(stream);
  }

  private void wake(int toWake) {
    // Each woken stream either takes room or goes back in line; wake each of those waiting now at
    // most once.
    for (int i = 0; i < toWake; i++) {
      Sender next;
      synchronized (this) {
        if (waiting.isEmpty() || usedBytes >= limitBytes) {
          return;
        }
        Iterator<Sender> first = waiting.iterator();
        next = first.next();
        first.remove();
      }
      next.drain();
    }
  }

  /**
   * Stops counting charges older than the stale limit and wakes the streams that waited for them:
   * call periodically, since a proxy that stopped reading never says so.
   */
  void expireStale() {
    int toWake;
    synchronized (this) {
      long before = usedBytes;
      forfeitStale(nanoTime.getAsLong());
      if (usedBytes == before) {
        return;
      }
      toWake = waiting.size();
    }
    wake(toWake);
  }

  /** Bytes currently counted as in flight. */
  synchronized long usedBytes() {
    return usedBytes;
  }

  /** Under the lock: charges older than the stale limit stop counting. */
  private void forfeitStale(long now) {
    var oldest = charged.values().iterator();
    while (oldest.hasNext()) {
      Charge charge = oldest.next();
      if (now - charge.sinceNanos < staleNanos) {
        return;
      }
      usedBytes -= charge.bytes;
      oldest.remove();
    }
  }

  /** What one stream holds, since when. Guarded by the budget's lock. */
  private static final class Charge {
    final long sinceNanos;
    long bytes;

    Charge(long sinceNanos) {
      this.sinceNanos = sinceNanos;
    }
  }
}
