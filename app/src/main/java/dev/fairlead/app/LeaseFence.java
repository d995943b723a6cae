package dev.fairlead.app;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Whether this replica may still write as the leader, judged on its own monotonic clock before
 * every request that changes something: so a leader frozen past its lease (SIGSTOP, a long pause, a
 * suspended VM) writes nothing once it runs again, though its elector and writers have not noticed
 * yet. Every renewal of the Lease records when it was sent ({@link #renewed}, from {@link
 * FencedLeaseLock}); the fence is open while this replica leads and its last successful renewal was
 * sent less than the renew deadline ago. Another replica takes the Lease only once it was not
 * renewed for the whole lease duration, a third longer, which leaves room for clocks running at
 * slightly different rates and for a request already on its way. {@link System#nanoTime} keeps
 * counting while the process is stopped, so a resumed leader finds the fence closed before it sends
 * anything; it opens again only with a renewal that succeeded, that is once this replica holds the
 * Lease again.
 *
 * <p>As an {@link Interceptor} of the writers' client it refuses every request but reads ({@code
 * GET}, {@code HEAD}) while closed, with a {@link KubernetesClientException} (code 0, no request
 * sent) saying why: one seam for the writes of discovery, the provisioner and the status reporter,
 * whichever module they are in.
 *
 * <p>Thread-safe.
 */
final class LeaseFence implements Interceptor {

  private static final Set<String> READS = Set.of("GET", "HEAD");

  private final long validNanos;
  private final LongSupplier nanoTime;
  private final AtomicLong renewedAtNanos = new AtomicLong();
  private volatile boolean renewedOnce;
  private volatile boolean leading;

  /**
   * @param valid how long after the last renewal was sent the fence stays open: the renew deadline
   */
  LeaseFence(Duration valid, LongSupplier nanoTime) {
    this.validNanos = valid.toNanos();
    this.nanoTime = nanoTime;
  }

  /**
   * The fence's clock now: what a renewal about to be sent passes to {@link #renewed} once it
   * succeeded.
   */
  long now() {
    return nanoTime.getAsLong();
  }

  /** A renewal (or the acquisition) of the Lease sent at {@code sentAtNanos} succeeded. */
  void renewed(long sentAtNanos) {
    renewedAtNanos.accumulateAndGet(sentAtNanos, Math::max);
    renewedOnce = true;
  }

  /** This replica released the Lease, or wrote it for another holder. */
  void released() {
    renewedOnce = false;
  }

  /** This replica starts or stops leading (the elector's callbacks). */
  void leading(boolean leading) {
    this.leading = leading;
  }

  /** Whether a write may go out now. */
  boolean holds() {
    return leading && renewedOnce && nanoTime.getAsLong() - renewedAtNanos.get() < validNanos;
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!READS.contains(request.method()) && !holds()) {
      throw new KubernetesClientException(
          request.method()
              + " "
              + request.uri().getPath()
              + " not sent: this replica no longer holds the leader Lease (not renewed within the renew deadline), "
              + "so it writes nothing until it holds it again");
    }
  }
}
