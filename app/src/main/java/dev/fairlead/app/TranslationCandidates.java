package dev.fairlead.app;

import dev.fairlead.allocator.Candidate;
import dev.fairlead.allocator.CandidateSource;
import dev.fairlead.allocator.PodLabels;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.xds.translate.PoolEndpoint;
import dev.fairlead.xds.translate.Translation;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The allocator's endpoints: for an accepted Upstream in allocation mode, the pool the translation
 * being served has for it (its ready endpoints with zone, Pod and node where the EndpointSlices
 * say), whether or not a route uses it.
 *
 * <p>Target labels, for selectors that ask for them, are the labels of the endpoint's Pod ({@link
 * PodLabels}).
 *
 * <p>Thread-safe: the translation (with its candidates) is swapped atomically and read without
 * locks.
 */
final class TranslationCandidates implements CandidateSource {

  private final PodLabels podLabels;
  private volatile Snapshot snapshot;

  /** A translation and the candidates of each of its allocatable Upstreams, built on first use. */
  private record Snapshot(Translation translation, Map<String, List<Candidate>> pools) {}

  TranslationCandidates(PodLabels podLabels) {
    this.podLabels = Objects.requireNonNull(podLabels, "podLabels");
  }

  void translated(Translation latest) {
    snapshot = new Snapshot(latest, new ConcurrentHashMap<>());
  }

  @Override
  public boolean ready() {
    return snapshot != null;
  }

  @Override
  public Optional<List<Candidate>> candidates(String namespace, String upstream) {
    Snapshot current = snapshot;
    if (current == null) {
      return Optional.empty();
    }
    return current
        .translation()
        .pool(namespace, upstream)
        .map(
            pool ->
                current
                    .pools()
                    .computeIfAbsent(
                        namespace + "/" + upstream,
                        key -> pool.stream().map(TranslationCandidates::candidate).toList()));
  }

  @Override
  public Optional<String> unavailable(String namespace, String upstream) {
    Snapshot latest = snapshot;
    if (latest == null) {
      return Optional.of("the control plane has not translated its first configuration yet");
    }
    Translation current = latest.translation();
    Optional<Verdict> verdict =
        current.verdicts().stream()
            .filter(
                v ->
                    v.object().kind().equals("Upstream")
                        && v.object().namespace().equals(namespace)
                        && v.object().name().equals(upstream))
            .findFirst();
    if (verdict.isEmpty()) {
      return Optional.empty();
    }
    if (!verdict.get().accepted().isTrue()) {
      return Optional.of(
          "it is not accepted (" + verdict.get().accepted().reason() + "), see its status");
    }
    return Optional.of("it is not in allocation mode (set spec.allocation.enabled: true)");
  }

  @Override
  public Map<String, String> targetLabels(String namespace, Candidate candidate) {
    if (candidate.pod().isEmpty()) {
      return Map.of();
    }
    return podLabels.of(namespace, candidate.pod().get());
  }

  private static Candidate candidate(PoolEndpoint endpoint) {
    return new Candidate(
        endpoint.address(),
        endpoint.port(),
        present(endpoint.zone()),
        present(endpoint.pod()),
        present(endpoint.node()),
        Map.of());
  }

  private static Optional<String> present(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }
}
