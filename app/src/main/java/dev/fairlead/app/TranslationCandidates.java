package dev.fairlead.app;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.fairlead.allocator.Candidate;
import dev.fairlead.allocator.CandidateSource;
import dev.fairlead.api.verdict.Verdict;
import dev.fairlead.xds.translate.PoolEndpoint;
import dev.fairlead.xds.translate.Translation;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocator's endpoints: for an accepted Upstream in allocation mode, the pool the translation being served
 * has for it (its ready endpoints with zone, Pod and node where the EndpointSlices say), whether or not a route uses
 * it.
 *
 * <p>Target labels, for selectors that ask for them, are the labels of the endpoint's Pod, read from the API server
 * by listing the namespace's Pods at most once every {@value #POD_LABELS_TTL_SECONDS} seconds (Caffeine); only
 * allocations with a label selector pay for it, and a Pod whose labels cannot be read matches no label selector.
 *
 * <p>Thread-safe: the translation (with its candidates) is swapped atomically and read without locks.
 */
final class TranslationCandidates implements CandidateSource {

  private static final Logger LOG = LoggerFactory.getLogger(TranslationCandidates.class);
  private static final long POD_LABELS_TTL_SECONDS = 5;

  private final LoadingCache<String, Map<String, Map<String, String>>> podLabels;
  private volatile Snapshot snapshot;

  /** A translation and the candidates of each of its allocatable Upstreams, built on first use. */
  private record Snapshot(Translation translation, Map<String, List<Candidate>> pools) {
  }

  /** @param client where Pod labels are read */
  TranslationCandidates(KubernetesClient client) {
    Objects.requireNonNull(client, "client");
    this.podLabels = Caffeine.newBuilder()
        .expireAfterWrite(Duration.ofSeconds(POD_LABELS_TTL_SECONDS))
        .maximumSize(10_000)
        .build(namespace -> podLabels(client, namespace));
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
    return current.translation().pool(namespace, upstream).map(pool -> current.pools().computeIfAbsent(
        namespace + "/" + upstream, key -> pool.stream().map(TranslationCandidates::candidate).toList()));
  }

  @Override
  public Optional<String> unavailable(String namespace, String upstream) {
    Snapshot latest = snapshot;
    if (latest == null) {
      return Optional.of("the control plane has not translated its first configuration yet");
    }
    Translation current = latest.translation();
    Optional<Verdict> verdict = current.verdicts().stream()
        .filter(v -> v.object().kind().equals("Upstream") && v.object().namespace().equals(namespace)
            && v.object().name().equals(upstream))
        .findFirst();
    if (verdict.isEmpty()) {
      return Optional.empty();
    }
    if (!verdict.get().accepted().isTrue()) {
      return Optional.of("it is not accepted (" + verdict.get().accepted().reason() + "), see its status");
    }
    return Optional.of("it is not in allocation mode (set spec.allocation.enabled: true)");
  }

  @Override
  public Map<String, String> targetLabels(String namespace, Candidate candidate) {
    if (candidate.pod().isEmpty()) {
      return Map.of();
    }
    return podLabels.get(namespace).getOrDefault(candidate.pod().get(), Map.of());
  }

  private static Candidate candidate(PoolEndpoint endpoint) {
    return new Candidate(endpoint.address(), endpoint.port(), present(endpoint.zone()), present(endpoint.pod()),
        present(endpoint.node()), Map.of());
  }

  private static Optional<String> present(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private static Map<String, Map<String, String>> podLabels(KubernetesClient client, String namespace) {
    Map<String, Map<String, String>> byPod = new HashMap<>();
    try {
      for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
        byPod.put(pod.getMetadata().getName(), pod.getMetadata().getLabels() == null
            ? Map.of() : Map.copyOf(pod.getMetadata().getLabels()));
      }
    } catch (KubernetesClientException e) {
      LOG.warn("Cannot list the Pods of namespace {} for allocation label selectors ({} {}); no endpoint there "
          + "matches a label selector until they can be read", namespace, e.getCode(), e.getMessage());
    }
    return byPod;
  }
}
