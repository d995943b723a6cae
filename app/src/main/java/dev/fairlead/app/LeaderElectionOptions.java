package dev.fairlead.app;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * How replicas elect the one that writes: a {@code coordination.k8s.io/v1} Lease {@code
 * namespace/leaseName}, held by {@code identity}. The leader renews it every retry period and gives
 * up when it could not for the renew deadline; another replica takes it once it has not been
 * renewed for the lease duration. The deadline and period derive from the duration with client-go's
 * proportions (15 s, 10 s, 2 s by default).
 *
 * @param namespace where the Lease lives; null for the client's namespace (the pod's, in a cluster)
 */
public record LeaderElectionOptions(
    String namespace, String leaseName, String identity, Duration leaseDuration) {

  public static final String DEFAULT_LEASE_NAME = "fairlead";
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(15);

  public LeaderElectionOptions {
    Objects.requireNonNull(leaseName, "leaseName");
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseName.isBlank() || identity.isBlank()) {
      throw new IllegalArgumentException(
          "the leader election lease name and identity must not be blank");
    }
    if (leaseDuration.compareTo(Duration.ofSeconds(2)) < 0) {
      throw new IllegalArgumentException(
          "--leader-election-lease-duration must be at least 2s, was "
              + leaseDuration.toMillis()
              + "ms");
    }
  }

  /** Time the leader keeps trying to renew before it gives up: two thirds of the lease duration. */
  public Duration renewDeadline() {
    return leaseDuration.multipliedBy(2).dividedBy(3);
  }

  /** Time between attempts to acquire or renew: the lease duration divided by 7.5. */
  public Duration retryPeriod() {
    return leaseDuration.multipliedBy(2).dividedBy(15);
  }

  /**
   * An identity unique to this process: {@code base} (the pod name, or the host name) and a random
   * suffix.
   */
  public static String identity(String base) {
    return base + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
