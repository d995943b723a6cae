package dev.fairlead.reporter;

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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reporter's informers for one (namespaced) kind: one across all namespaces, or one per namespace when the
 * reporter is limited to a list of them. They give the reporter the objects as they are now — UID, generation,
 * resourceVersion, current status — and the add, update and delete events that wake it.
 *
 * <p>Informers keep retrying (with fabric8's growing backoff) after a failed list or watch, say while the Gateway
 * API CRDs are not installed yet; the other kinds carry on meanwhile.
 *
 * <p>Concurrency contract: {@link #addEventHandler} before {@link #start()}, from one thread. After that every read
 * may be called from any thread; they read fabric8's thread-safe stores. Objects returned are the cached instances
 * and must not be mutated.
 */
final class KindInformers<T extends HasMetadata> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(KindInformers.class);

  private final String kind;
  /** By namespace; the single informer of an all-namespaces watch is under "". */
  private final Map<String, SharedIndexInformer<T>> informers = new LinkedHashMap<>();

  /**
   * @param namespaces   the namespaces to watch; empty for all
   * @param source       the informable for one namespace, or for all when given null
   * @param resyncMillis how often the informers replay their caches as updates; 0 for never
   */
  KindInformers(String kind, Set<String> namespaces, Function<String, Informable<T>> source, long resyncMillis) {
    this.kind = kind;
    if (namespaces.isEmpty()) {
      informers.put("", source.apply(null).runnableInformer(resyncMillis).exceptionHandler(this::retryAfter));
    } else {
      for (String namespace : namespaces.stream().sorted().toList()) {
        informers.put(namespace,
            source.apply(namespace).runnableInformer(resyncMillis).exceptionHandler(this::retryAfter));
      }
    }
  }

  private boolean retryAfter(boolean started, Throwable failure) {
    if (ExceptionHandler.isDeserializationException(failure)) {
      LOG.error("Reporter's {} informer: the API server sent a {} that cannot be read, retrying", kind, kind, failure);
    } else {
      LOG.warn("Reporter's {} informer: {} failed, retrying: {}", kind, started ? "watch" : "initial list",
          failure.toString());
    }
    return true;
  }

  void addEventHandler(ResourceEventHandler<? super T> handler) {
    informers.values().forEach(i -> i.addEventHandler(handler));
  }

  void start() {
    informers.values().forEach(SharedIndexInformer::start);
  }

  boolean hasSynced() {
    return informers.values().stream().allMatch(SharedIndexInformer::hasSynced);
  }

  /** The cached object, or null. */
  T get(String namespace, String name) {
    SharedIndexInformer<T> informer = informers.size() == 1 && informers.containsKey("")
        ? informers.get("") : informers.get(namespace);
    return informer == null ? null : informer.getStore().getByKey(Cache.namespaceKeyFunc(namespace, name));
  }

  /** Everything cached. */
  List<T> list() {
    List<T> all = new ArrayList<>();
    informers.values().forEach(i -> all.addAll(i.getStore().list()));
    return all;
  }

  @Override
  public void close() {
    informers.values().forEach(SharedIndexInformer::stop);
  }
}
