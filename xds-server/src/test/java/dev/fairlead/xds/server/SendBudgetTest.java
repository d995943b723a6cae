package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SendBudgetTest {

  private final AtomicLong now = new AtomicLong();
  private final SendBudget budget = new SendBudget(100, 1_000, now::get);
  private final List<String> woken = new ArrayList<>();

  /** A sender that records being woken and, when woken, takes {@code bytes} if it can. */
  private SendBudget.Sender sender(String name, long bytes) {
    return new SendBudget.Sender() {
      @Override
      public void drain() {
        woken.add(name);
        budget.tryAcquire(this, bytes);
      }
    };
  }

  @Test
  void bytesAreTakenUpToTheLimitAndALargerMessageGoesAloneWhenNothingIsInFlight() {
    SendBudget.Sender a = sender("a", 0);
    SendBudget.Sender b = sender("b", 0);

    assertThat(budget.tryAcquire(a, 60)).isTrue();
    assertThat(budget.tryAcquire(b, 60)).as("over the limit").isFalse();
    assertThat(budget.tryAcquire(a, 40)).isTrue();
    assertThat(budget.usedBytes()).isEqualTo(100);

    budget.release(a);
    assertThat(budget.usedBytes()).isZero();
    SendBudget.Sender huge = sender("huge", 0);
    assertThat(budget.tryAcquire(huge, 1_000)).as("alone, however large").isTrue();
    assertThat(budget.tryAcquire(b, 1)).isFalse();
  }

  @Test
  void releasingWakesWaitingStreamsOldestFirstWhileThereIsRoom() {
    SendBudget.Sender holder = sender("holder", 0);
    SendBudget.Sender first = sender("first", 50);
    SendBudget.Sender second = sender("second", 50);
    SendBudget.Sender third = sender("third", 50);
    budget.tryAcquire(holder, 100);
    budget.tryAcquire(first, 50);
    budget.tryAcquire(second, 50);
    budget.tryAcquire(third, 50);

    budget.release(holder);

    // first and second take the room; third is woken no more (no room) and stays in line.
    assertThat(woken).containsExactly("first", "second");
    assertThat(budget.usedBytes()).isEqualTo(100);
    budget.release(first);
    assertThat(woken).containsExactly("first", "second", "third");
  }

  @Test
  void aClosedStreamGivesBackItsBytesAndLeavesTheLine() {
    SendBudget.Sender holder = sender("holder", 0);
    SendBudget.Sender gone = sender("gone", 50);
    SendBudget.Sender next = sender("next", 50);
    budget.tryAcquire(holder, 100);
    budget.tryAcquire(gone, 50);
    budget.tryAcquire(next, 50);

    budget.forget(gone);
    budget.forget(holder);

    assertThat(woken).containsExactly("next");
    assertThat(budget.usedBytes()).isEqualTo(50);
  }

  @Test
  void aStreamThatStoppedReadingStopsCountingOnceItsChargeIsStale() {
    SendBudget.Sender stuck = sender("stuck", 0);
    SendBudget.Sender waiting = sender("waiting", 80);
    budget.tryAcquire(stuck, 90);
    budget.tryAcquire(waiting, 80);

    now.set(999);
    budget.expireStale();
    assertThat(woken).isEmpty();

    now.set(1_000);
    budget.expireStale();
    assertThat(woken).containsExactly("waiting");
    assertThat(budget.usedBytes()).isEqualTo(80);
    budget.release(stuck); // ready at last: it holds nothing any more
    assertThat(budget.usedBytes()).isEqualTo(80);
  }
}
