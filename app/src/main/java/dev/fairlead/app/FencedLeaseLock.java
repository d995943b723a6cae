package dev.fairlead.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;

/**
 * fabric8's {@link LeaseLock}, telling the {@link LeaseFence} when each write of the Lease that
 * makes or keeps this replica its holder succeeded (with the time it was sent), and when this
 * replica wrote it for no one (its release).
 */
final class FencedLeaseLock implements Lock {

  private final Lock lock;
  private final LeaseFence fence;

  FencedLeaseLock(Lock lock, LeaseFence fence) {
    this.lock = lock;
    this.fence = fence;
  }

  @Override
  public LeaderElectionRecord get(KubernetesClient client) {
    return lock.get(client);
  }

  @Override
  public void create(KubernetesClient client, LeaderElectionRecord record) {
    long sent = fence.now();
    lock.create(client, record);
    written(record, sent);
  }

  @Override
  public void update(KubernetesClient client, LeaderElectionRecord record) {
    long sent = fence.now();
    lock.update(client, record);
    written(record, sent);
  }

  private void written(LeaderElectionRecord record, long sent) {
    if (identity().equals(record.getHolderIdentity())) {
      fence.renewed(sent);
    } else {
      fence.released();
    }
  }

  @Override
  public String identity() {
    return lock.identity();
  }

  @Override
  public String describe() {
    return lock.describe();
  }
}
