package dev.fairlead.xds.cache;

/**
 * The changes of one fleet's resources of one type, numbered from 1, with when each was observed
 * ({@link System#nanoTime()}); the last {@value #KEPT} are kept. A stream's progress is the number
 * of the last change it is known to hold, so the time from a change to a proxy's ACK of it is the
 * ACK's time minus {@link #observedAfter} that number.
 *
 * <p>Not thread-safe: {@link XdsCache} guards each fleet's logs with the fleet's lock.
 */
final class ChangeLog {

  static final int KEPT = 64;

  private final long[] observedAt = new long[KEPT];
  private long latest;

  /** Records a change observed at {@code nanos}. */
  void record(long nanos) {
    latest++;
    observedAt[slot(latest)] = nanos;
  }

  /** The number of the latest change; 0 before the first. */
  long latest() {
    return latest;
  }

  /**
   * When the first change after {@code change} was observed, or -1 if there is none. A change older
   * than the oldest kept answers the oldest kept one (a proxy that far behind has waited at least
   * that long).
   */
  long observedAfter(long change) {
    if (change >= latest) {
      return -1;
    }
    long first = Math.max(change + 1, Math.max(1, latest - KEPT + 1));
    return observedAt[slot(first)];
  }

  private static int slot(long change) {
    return (int) (change % KEPT);
  }
}
