package dev.fairlead.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes part in electing the replica that writes, with fabric8's leader elector on a Lease: runs
 * {@code onStartLeading} when this replica becomes the leader and {@code onStopLeading} when it
 * stops being one (its renewals failed for the renew deadline, or it is closing). After losing the
 * lease it stands again, so a replica that was cut off from the API server for a while becomes a
 * candidate again once it is back.
 *
 * <p>On {@link #close()} a leader stops leading first and then releases the Lease, so the next
 * replica takes over at once rather than after the lease duration. A leader that dies without
 * closing (killed, its node gone) keeps the Lease until it expires.
 *
 * <p>Writes are fenced on holding the Lease ({@link LeaseFence}): a leader frozen past its lease
 * writes nothing once resumed, even before its elector notices that another replica took over and
 * stops its writers.
 *
 * <p>The callbacks run on the elector's thread, one at a time and in order (start, stop, start, …).
 */
final class LeaderElection implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  private final KubernetesClient client;
  private final LeaderElectionOptions options;
  private final String namespace;
  private final LeaseFence fence;
  private final Runnable onStartLeading;
  private final Runnable onStopLeading;
  private final AtomicBoolean leading = new AtomicBoolean();
  private volatile boolean closed;
  private volatile CompletableFuture<?> running;

  /**
   * @param fence told of every renewal and of leading starting and stopping, before the callbacks
   *     run
   */
  LeaderElection(
      KubernetesClient client,
      LeaderElectionOptions options,
      LeaseFence fence,
      Runnable onStartLeading,
      Runnable onStopLeading) {
    this.client = Objects.requireNonNull(client, "client");
    this.options = Objects.requireNonNull(options, "options");
    this.namespace =
        options.namespace() != null
            ? options.namespace()
            : Objects.requireNonNullElse(client.getNamespace(), "default");
    this.fence = Objects.requireNonNull(fence, "fence");
    this.onStartLeading = Objects.requireNonNull(onStartLeading, "onStartLeading");
    this.onStopLeading = Objects.requireNonNull(onStopLeading, "onStopLeading");
  }

  /** Stands for election; returns at once. */
  void start() {
    LOG.info(
        "Standing for leader as {} on Lease {}/{} (lease {} s)",
        options.identity(),
        namespace,
        options.leaseName(),
        options.leaseDuration().toSeconds());
    stand();
  }

  /** Whether this replica holds the Lease now. */
  boolean isLeader() {
    return leading.get();
  }

  String identity() {
    return options.identity();
  }

  private synchronized void stand() {
    if (closed) {
      return;
    }
    CompletableFuture<?> election =
        client
            .leaderElector()
            .withConfig(
                new LeaderElectionConfigBuilder()
                    .withName("fairlead")
                    .withLock(
                        new FencedLeaseLock(
                            new LeaseLock(namespace, options.leaseName(), options.identity()),
                            fence))
                    .withLeaseDuration(options.leaseDuration())
                    .withRenewDeadline(options.renewDeadline())
                    .withRetryPeriod(options.retryPeriod())
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(
                        new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                    .build())
            .build()
            .start();
    running = election;
    var unused =
        election.whenComplete(
            (ignored, failure) -> {
              if (closed) {
                return;
              }
              if (failure != null) {
                LOG.warn(
                    "Leader election on Lease {}/{} ended: {}; standing again",
                    namespace,
                    options.leaseName(),
                    failure.toString());
              }
              stand();
            });
  }

  private void started() {
    leading.set(true);
    fence.leading(true);
    LOG.info("{} is now the leader: running discovery and status writes", options.identity());
    onStartLeading.run();
  }

  private void stopped() {
    if (leading.compareAndSet(true, false)) {
      fence.leading(false);
      LOG.info(
          "{} is no longer the leader: stopping discovery and status writes", options.identity());
      onStopLeading.run();
    }
  }

  private void newLeader(String identity) {
    LOG.info(
        "Leader of Lease {}/{}: {}",
        namespace,
        options.leaseName(),
        identity == null || identity.isEmpty() ? "none (released)" : identity);
  }

  /** Stops leading (if it was) and releases the Lease. Idempotent. */
  @Override
  public synchronized void close() {
    closed = true;
    stopped();
    CompletableFuture<?> election = running;
    if (election != null) {
      election.cancel(true);
    }
  }
}
