package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a desired status is written, and why the last-written cache is keyed by UID. */
class WriteDecisionTest {

  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");

  private final UpstreamStatusKind kind = new UpstreamStatusKind();
  private final LastWrittenStatuses cache = new LastWrittenStatuses(100, new SimpleMeterRegistry());

  @Test
  void aStatusAlreadyInPlaceIsNotWrittenWhateverTheCacheSays() {
    UpstreamStatus accepted = acceptedStatusOf(UpstreamStatusKindTest.upstream("uid-1", 1));

    assertThat(WriteDecision.decide(accepted, accepted, Optional.empty(), false))
        .isEqualTo(WriteDecision.IN_PLACE);
    assertThat(WriteDecision.decide(accepted, accepted, Optional.of(accepted), false))
        .isEqualTo(WriteDecision.IN_PLACE);
  }

  @Test
  void aRecreatedObjectWithTheSameNameAndTheSameDesiredStatusIsWritten() {
    Upstream first = UpstreamStatusKindTest.upstream("uid-1", 1);
    UpstreamStatus desired = acceptedStatusOf(first);
    cache.put("uid-1", desired);
    Upstream recreated = UpstreamStatusKindTest.upstream("uid-2", 1);

    // Same name, same desired status: a cache by name would call this done. By UID, nothing is
    // known of uid-2.
    WriteDecision decision =
        WriteDecision.decide(
            desired,
            kind.comparable(recreated.getStatus()),
            cache.get(recreated.getMetadata().getUid()),
            false);

    assertThat(desired).isEqualTo(acceptedStatusOf(recreated));
    assertThat(decision).isEqualTo(WriteDecision.WRITE);
  }

  @Test
  void whatWeWroteButTheInformerDoesNotShowYetIsReadAgainRatherThanWrittenAgain() {
    UpstreamStatus desired = acceptedStatusOf(UpstreamStatusKindTest.upstream("uid-1", 1));
    cache.put("uid-1", desired);

    assertThat(WriteDecision.decide(desired, null, cache.get("uid-1"), false))
        .isEqualTo(WriteDecision.READ_AGAIN);
  }

  @Test
  void aStatusOverwrittenBySomeoneElseIsPutBackOnceTheFreshObjectConfirmsIt() {
    UpstreamStatus desired = acceptedStatusOf(UpstreamStatusKindTest.upstream("uid-1", 1));
    UpstreamStatus overwritten = new UpstreamStatus(List.of(), 1L, 99);
    cache.put("uid-1", desired);

    assertThat(WriteDecision.decide(desired, overwritten, cache.get("uid-1"), false))
        .isEqualTo(WriteDecision.READ_AGAIN);
    assertThat(WriteDecision.decide(desired, overwritten, cache.get("uid-1"), true))
        .isEqualTo(WriteDecision.WRITE);
  }

  @Test
  void aChangedDesiredStatusIsWritten() {
    Upstream upstream = UpstreamStatusKindTest.upstream("uid-1", 1);
    UpstreamStatus before = acceptedStatusOf(upstream);
    cache.put("uid-1", before);
    upstream.getMetadata().setGeneration(2L);
    UpstreamStatus after = acceptedStatusOf(upstream);

    assertThat(WriteDecision.decide(after, before, cache.get("uid-1"), false))
        .isEqualTo(WriteDecision.WRITE);
  }

  @Test
  void theCacheForgetsAnObjectOnDeleteAndOnAFailedWrite() {
    UpstreamStatus desired = acceptedStatusOf(UpstreamStatusKindTest.upstream("uid-1", 1));
    cache.put("uid-1", desired);
    cache.put("uid-2", desired);

    cache.invalidate("uid-1");

    assertThat(cache.get("uid-1")).isEmpty();
    assertThat(cache.get("uid-2")).contains(desired);
    cache.invalidateAll();
    assertThat(cache.size()).isZero();
  }

  @Test
  void theCacheIsBounded() {
    LastWrittenStatuses small = new LastWrittenStatuses(10, new SimpleMeterRegistry());
    UpstreamStatus desired = acceptedStatusOf(UpstreamStatusKindTest.upstream("uid-1", 1));

    for (int i = 0; i < 1_000; i++) {
      small.put("uid-" + i, desired);
    }

    assertThat(small.size()).isLessThanOrEqualTo(10);
  }

  private UpstreamStatus acceptedStatusOf(Upstream upstream) {
    ObjectReport report =
        new ObjectReport(
            List.of(Verdicts.accepted("Upstream", upstream)),
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            StatusReport.GATEWAY_CONTROLLER_NAME);
    return kind.comparable(kind.desired(report, upstream, NOW).orElseThrow());
  }
}
