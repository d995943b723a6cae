package dev.fairlead.reporter;

import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamProxies;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * An Upstream's status: {@code Accepted} and {@code ResolvedRefs} from its verdict, {@code
 * Programmed} from what the proxies made of it, each with the verdict's generation as {@code
 * observedGeneration}; {@code observedGeneration} and the ready endpoints the report gives.
 *
 * <p>{@code Programmed} is false with reason {@code Rejected} ("N proxies rejected it: …") while
 * proxies reject the Upstream's configuration, false with reason {@code Invalid} while the Upstream
 * is not accepted (no cluster is made of it, so none can be programmed), and true otherwise; with
 * the proxies counted, its message says how many of them hold its current configuration, and {@code
 * status.proxies} gives the counts.
 */
final class UpstreamStatusKind implements StatusKind<Upstream, UpstreamStatus> {

  @Override
  public String kind() {
    return ReportIndex.UPSTREAM;
  }

  @Override
  public Class<Upstream> type() {
    return Upstream.class;
  }

  @Override
  public Optional<UpstreamStatus> desired(ObjectReport report, Upstream current, Instant now) {
    List<Verdict> verdicts = report.verdictsFor(current.getMetadata().getUid());
    if (verdicts.isEmpty()) {
      return Optional.empty();
    }
    Verdict verdict = verdicts.get(0);
    long generation = verdict.object().generation();
    List<Condition> existing =
        current.getStatus() == null
            ? List.of()
            : Conditions.orEmpty(current.getStatus().conditions());
    List<Condition> conditions =
        List.of(
            Conditions.fromVerdict(
                Conditions.ACCEPTED, verdict.accepted(), generation, existing, now),
            Conditions.fromVerdict(
                Conditions.RESOLVED_REFS, verdict.resolvedRefs(), generation, existing, now),
            Programmed.of(
                    verdict.accepted(),
                    report.rejection(),
                    report.proxies(),
                    "Upstream",
                    "no cluster is made of it")
                .condition(generation, existing, now));
    return Optional.of(
        new UpstreamStatus(
            conditions,
            generation,
            report.readyEndpoints().orElse(null),
            report
                .proxies()
                .map(t -> new UpstreamProxies(t.connected(), t.holding(), t.rejected()))
                .orElse(null)));
  }

  @Override
  public UpstreamStatus status(Upstream object) {
    return object.getStatus();
  }

  @Override
  public UpstreamStatus comparable(UpstreamStatus status) {
    return status == null
        ? null
        : new UpstreamStatus(
            Conditions.withoutTransitionTimes(status.conditions()),
            status.observedGeneration(),
            status.readyEndpoints(),
            status.proxies());
  }

  @Override
  public Upstream withStatus(Upstream object, UpstreamStatus status) {
    Upstream update = new Upstream();
    update.setMetadata(StatusKind.identity(object));
    update.setStatus(status);
    return update;
  }
}
