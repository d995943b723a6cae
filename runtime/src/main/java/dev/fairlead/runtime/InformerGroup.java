package dev.fairlead.runtime;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ExceptionHandler;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fabric8 informers that watch one kind: one informer across all namespaces, or one per
 * namespace when the watch is limited to a list (which then needs only namespaced read
 * permissions). Callers read the union of their caches as if it were one.
 *
 * <p>Informers keep retrying (with fabric8's growing backoff) after a failed list or watch, say
 * while a CRD is not installed yet or an object cannot be read into its model class, logging each
 * failure with the kind.
 *
 * <p>Concurrency contract: configure ({@link #addEventHandler}, {@link #addIndexer}) before {@link
 * #start()}, from one thread. After that every read method may be called from any thread; they read
 * fabric8's thread-safe caches. Objects returned are the cached instances themselves and must not
 * be mutated.
 *
 * @param <T> the model class of the kind
 */
public final class InformerGroup<T extends HasMetadata> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(InformerGroup.class);

  private final String kind;
  private final boolean namespaced;

  /** By namespace; the single informer of an all-namespaces or cluster-scoped watch is under "". */
  private final Map<String, SharedIndexInformer<T>> informers = new LinkedHashMap<>();

  /**
   * @param kind names the kind in logs and metrics
   * @param namespaced whether the kind is namespaced
   * @param namespaces the namespaces to watch; empty for all (ignored for cluster-scoped kinds)
   * @param source the informable for one namespace, or for all when given null
   * @param resyncMillis how often the informer replays its cache as updates; 0 for never
   */
  public InformerGroup(
      String kind,
      boolean namespaced,
      Set<String> namespaces,
      Function<String, Informable<T>> source,
      long resyncMillis) {
    this.kind = kind;
    this.namespaced = namespaced;
    if (!namespaced || namespaces.isEmpty()) {
      informers.put("", configure(source.apply(null).runnableInformer(resyncMillis)));
    } else {
      for (String namespace : namespaces.stream().sorted().toList()) {
        informers.put(namespace, configure(source.apply(namespace).runnableInformer(resyncMillis)));
      }
    }
  }

  private SharedIndexInformer<T> configure(SharedIndexInformer<T> informer) {
    return informer.exceptionHandler(this::retryAfter);
  }

  private boolean retryAfter(boolean started, Throwable failure) {
    if (ExceptionHandler.isDeserializationException(failure)) {
      // One object that cannot be read must not stop the watch for good: keep retrying, so it
      // recovers once fixed.
      LOG.error(
          "{} informer: the API server sent a {} that cannot be read, retrying",
          kind,
          kind,
          failure);
    } else {
      LOG.warn(
          "{} informer: {} failed, retrying: {}",
          kind,
          started ? "watch" : "initial list",
          failure.toString());
    }
    return true;
  }

  public String kind() {
    return kind;
  }

  public void addEventHandler(ResourceEventHandler<? super T> handler) {
    informers.values().forEach(i -> i.addEventHandler(handler));
  }

  /** Adds an index; its function must be pure and not throw. */
  public void addIndexer(String name, Function<T, List<String>> function) {
    informers.values().forEach(i -> i.addIndexers(Map.of(name, function)));
  }

  /** Starts every informer; the result completes once all of them have synced. */
  public CompletableFuture<Void> start() {
    return CompletableFuture.allOf(
        informers.values().stream()
            .map(i -> i.start().toCompletableFuture())
            .toArray(CompletableFuture[]::new));
  }

  public boolean hasSynced() {
    return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /**
   * Whether every informer has a watch open now: false while one lists again or waits to reconnect,
   * which is what a cache lagging the API server looks like.
   */
  public boolean isWatching() {
    return informers.values().stream().allMatch(SharedIndexInformer::isWatching);
  }

  /** Everything cached, across all namespaces watched. */
  public List<T> list() {
    if (informers.size() == 1) {
      return informers.values().iterator().next().getStore().list();
    }
    List<T> all = new ArrayList<>();
    informers.values().forEach(i -> all.addAll(i.getStore().list()));
    return all;
  }

  /** The cached object, or null; {@code namespace} is ignored for cluster-scoped kinds. */
  public T get(String namespace, String name) {
    SharedIndexInformer<T> informer = informerFor(namespace);
    if (informer == null) {
      return null;
    }
    String cacheKey = namespaced ? Cache.namespaceKeyFunc(namespace, name) : name;
    return informer.getStore().getByKey(cacheKey);
  }

  /** Cached objects of one namespace. */
  public List<T> inNamespace(String namespace) {
    return byIndex(Cache.NAMESPACE_INDEX, namespace, namespace);
  }

  /** Cached objects of {@code namespace} whose index {@code index} holds {@code value}. */
  public List<T> byIndex(String index, String namespace, String value) {
    SharedIndexInformer<T> informer = informerFor(namespace);
    return informer == null ? List.of() : informer.getIndexer().byIndex(index, value);
  }

  private SharedIndexInformer<T> informerFor(String namespace) {
    return informers.size() == 1 && informers.containsKey("")
        ? informers.get("")
        : informers.get(namespace);
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::stop);
  }
}
