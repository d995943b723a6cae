package dev.fairlead.xds.cache;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An open question of one stream to the {@link XdsCache} about one type, until the cache answers it
 * with a {@link Answer.Response} or the server cancels it. A cancelled watch is told nothing more.
 * Thread-safe.
 */
public final class Watch {

  private final long firstChange;
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private volatile Runnable onCancel = () -> {};

  Watch(long firstChange) {
    this.firstChange = firstChange;
  }

  /**
   * The change of the fleet's resources of the type ({@link ChangeLog}) current when the watch was
   * made: where the stream's progress on the type is followed from, if it was not already; -1 if
   * the stream names no fleet.
   */
  public long firstChange() {
    return firstChange;
  }

  /** Stops the watch: it is answered no more. Idempotent. */
  public void cancel() {
    if (cancelled.compareAndSet(false, true)) {
      onCancel.run();
    }
  }

  boolean cancelled() {
    return cancelled.get();
  }

  /** Runs {@code action} on {@link #cancel()}; at once if already cancelled. */
  void onCancel(Runnable action) {
    onCancel = action;
    if (cancelled.get()) {
      action.run();
    }
  }
}
