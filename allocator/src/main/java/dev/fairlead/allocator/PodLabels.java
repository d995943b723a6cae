package dev.fairlead.allocator;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The labels of Pods, for allocations whose selector asks for labels: a candidate's target labels
 * are those of the Pod behind it. Read from the API server by listing a namespace's Pods at most
 * once every {@value #TTL_SECONDS} seconds (Caffeine), so only allocations with a label selector
 * pay for it; a Pod whose labels cannot be read has none, and so matches no label selector.
 *
 * <p>Thread-safe.
 */
public final class PodLabels {

  private static final Logger LOG = LoggerFactory.getLogger(PodLabels.class);
  private static final long TTL_SECONDS = 5;

  private final LoadingCache<String, Map<String, Map<String, String>>> byNamespace;

  /**
   * @param client where Pods are listed
   */
  public PodLabels(KubernetesClient client) {
    Objects.requireNonNull(client, "client");
    this.byNamespace =
        Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofSeconds(TTL_SECONDS))
            .maximumSize(10_000)
            .build(namespace -> list(client, namespace));
  }

  /**
   * The labels of Pod {@code namespace/pod}; empty when there is no such Pod or its labels cannot
   * be read.
   */
  public Map<String, String> of(String namespace, String pod) {
    return byNamespace.get(namespace).getOrDefault(pod, Map.of());
  }

  private static Map<String, Map<String, String>> list(KubernetesClient client, String namespace) {
    Map<String, Map<String, String>> byPod = new HashMap<>();
    try {
      for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
        byPod.put(
            pod.getMetadata().getName(),
            pod.getMetadata().getLabels() == null
                ? Map.of()
                : Map.copyOf(pod.getMetadata().getLabels()));
      }
    } catch (KubernetesClientException e) {
      LOG.warn(
          "Cannot list the Pods of namespace {} for allocation label selectors ({} {}); no endpoint there "
              + "matches a label selector until they can be read",
          namespace,
          e.getCode(),
          e.getMessage());
    }
    return byPod;
  }
}
