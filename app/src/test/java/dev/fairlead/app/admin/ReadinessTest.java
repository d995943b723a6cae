package dev.fairlead.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ReadinessTest {

  private final AtomicBoolean synced = new AtomicBoolean();
  private final AtomicBoolean published = new AtomicBoolean();
  private final Readiness readiness =
      new Readiness()
          .require("informers", "not every informer has synced yet", synced::get)
          .require("configuration", "no configuration yet", published::get);

  @Test
  void notReadyWhileStartingEvenIfEveryConditionHolds() {
    synced.set(true);
    published.set(true);

    assertThat(readiness.status())
        .isEqualTo(new Readiness.Status(false, java.util.List.of(Readiness.STARTING)));
  }

  @Test
  void onceStartedItIsReadyExactlyWhenEveryConditionHoldsAndSaysWhatItWaitsFor() {
    readiness.started();
    assertThat(readiness.status().ready()).isFalse();
    assertThat(readiness.status().waitingFor())
        .containsExactly(
            "informers: not every informer has synced yet", "configuration: no configuration yet");

    synced.set(true);
    assertThat(readiness.status().waitingFor())
        .containsExactly("configuration: no configuration yet");

    published.set(true);
    assertThat(readiness.status()).isEqualTo(new Readiness.Status(true, java.util.List.of()));

    synced.set(false);
    assertThat(readiness.status().ready()).as("evaluated on every call").isFalse();
  }

  @Test
  void withNoConditionsAStartedProcessIsReady() {
    assertThat(new Readiness().started().status().ready()).isTrue();
  }
}
