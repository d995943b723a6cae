package dev.fairlead.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keys to work on, coalesced per key, and the worker threads that work on them. Adding a key that
 * is already waiting only pushes its start back (by {@link CoalescingDelay#quiet()}, never past
 * {@link CoalescingDelay#max()} after the first add of the burst), so a burst of events about one
 * object costs one piece of work. Because the work reads current state rather than the event,
 * nothing is lost by dropping the intermediate adds: that is what makes the callers
 * level-triggered.
 *
 * <p>Concurrency contract: {@link #add} and {@link #addAfter} may be called from any thread
 * (informer callbacks, the workers themselves). No two workers ever work on the same key at once; a
 * key added while it is being worked on is worked on again afterwards, after its own delay. Keys
 * must be immutable values with {@code equals}/{@code hashCode}. All state is guarded by one lock,
 * held only for bookkeeping, never while work runs. The work function must not throw; if it does,
 * the failure is logged and the worker carries on.
 *
 * @param <K> the key type, e.g. a namespace/name pair
 */
public final class CoalescingWorkQueue<K> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CoalescingWorkQueue.class);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private final String name;
  private final long quietNanos;
  private final long maxNanos;
  private final int workers;
  private final Consumer<K> work;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();

  /**
   * Keys waiting to run; a key is either here with exactly one timer, or here and blocked, or not
   * here.
   */
  private final Map<K, Waiting> waiting = new HashMap<>();

  private final Set<K> running = new HashSet<>();
  private final PriorityQueue<Timer<K>> timers =
      new PriorityQueue<>((a, b) -> Long.compare(a.due, b.due));
  private final List<Thread> threads = new ArrayList<>();
  private boolean started;
  private boolean closed;

  /** A key waiting for its delay; {@code due} only ever moves later. */
  private static final class Waiting {
    private final long first;
    private long due;

    /** Due, but the key was running: it gets a timer again when that run is done. */
    private boolean blocked;

    private Waiting(long first, long due) {
      this.first = first;
      this.due = due;
    }
  }

  private record Timer<K>(K key, long due) {}

  /**
   * @param name names the worker threads and log lines
   * @param delay how adds of one key coalesce
   * @param workers how many keys may be worked on at once
   * @param work what to do for a key; must not throw
   */
  public CoalescingWorkQueue(String name, CoalescingDelay delay, int workers, Consumer<K> work) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    this.name = Objects.requireNonNull(name, "name");
    this.quietNanos = delay.quiet().toNanos();
    this.maxNanos = delay.max().toNanos();
    this.workers = workers;
    this.work = Objects.requireNonNull(work, "work");
  }

  /** Starts the worker threads; keys added before are kept and worked on. Idempotent. */
  public void start() {
    lock.lock();
    try {
      if (started || closed) {
        return;
      }
      started = true;
      for (int i = 0; i < workers; i++) {
        Thread thread = new Thread(this::runWorker, workers == 1 ? name : name + "-" + i);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks for work on {@code key}: after the quiet delay, or later if more adds follow (up to the
   * maximum).
   */
  public void add(K key) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      Waiting w = waiting.get(key);
      if (w == null) {
        enqueue(key, new Waiting(now, now + quietNanos));
      } else {
        w.due = Math.max(w.due, Math.min(now + quietNanos, w.first + maxNanos));
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Asks for work on {@code key} no sooner than {@code delay} from now; used to back off after a
   * failure.
   */
  public void addAfter(K key, Duration delay) {
    Objects.requireNonNull(key, "key");
    lock.lock();
    try {
      if (closed) {
        return;
      }
      long now = System.nanoTime();
      long due = now + delay.toNanos();
      Waiting w = waiting.get(key);
      if (w == null) {
        enqueue(key, new Waiting(now, due));
      } else {
        w.due = Math.max(w.due, due);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Keys waiting or being worked on; zero means every add so far has been worked on. */
  public int size() {
    lock.lock();
    try {
      return waiting.size() + running.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops waiting keys, lets running work finish (interrupting it after ten seconds) and stops the
   * workers. Idempotent.
   */
  @Override
  public void close() {
    List<Thread> toJoin;
    lock.lock();
    try {
      closed = true;
      waiting.clear();
      timers.clear();
      changed.signalAll();
      toJoin = List.copyOf(threads);
    } finally {
      lock.unlock();
    }
    long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
    for (Thread thread : toJoin) {
      if (thread == Thread.currentThread()) {
        continue;
      }
      try {
        long left = deadline - System.nanoTime();
        if (left > 0) {
          TimeUnit.NANOSECONDS.timedJoin(thread, left);
        }
        if (thread.isAlive()) {
          thread.interrupt();
          thread.join(CLOSE_TIMEOUT.toMillis());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void enqueue(K key, Waiting w) {
    waiting.put(key, w);
    timers.add(new Timer<>(key, w.due));
    changed.signalAll();
  }

  private void runWorker() {
    while (true) {
      K key;
      try {
        key = take();
      } catch (InterruptedException e) {
        return;
      }
      if (key == null) {
        return;
      }
      try {
        work.accept(key);
      } catch (RuntimeException e) {
        LOG.error("{}: work on {} failed", name, key, e);
      } finally {
        done(key);
      }
    }
  }

  /** The next key that is due and not running, marked running; null once closed. */
  private K take() throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        if (closed) {
          return null;
        }
        Timer<K> timer = timers.peek();
        if (timer == null) {
          changed.await();
          continue;
        }
        long now = System.nanoTime();
        if (timer.due - now > 0) {
          changed.awaitNanos(timer.due - now);
          continue;
        }
        timers.poll();
        Waiting w = waiting.get(timer.key);
        if (w.due - timer.due > 0) {
          timers.add(new Timer<>(timer.key, w.due));
          continue;
        }
        if (running.contains(timer.key)) {
          w.blocked = true;
          continue;
        }
        waiting.remove(timer.key);
        running.add(timer.key);
        return timer.key;
      }
    } finally {
      lock.unlock();
    }
  }

  private void done(K key) {
    lock.lock();
    try {
      running.remove(key);
      Waiting w = waiting.get(key);
      if (w != null && w.blocked) {
        w.blocked = false;
        timers.add(new Timer<>(key, w.due));
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }
}
