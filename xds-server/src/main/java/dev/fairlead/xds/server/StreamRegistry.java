package dev.fairlead.xds.server;

import com.google.common.collect.Interners;
import dev.fairlead.xds.cache.Answer;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.StreamState.DeltaRequest;
import dev.fairlead.xds.server.StreamState.SotwRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every open xDS stream's state ({@link StreamState}), what the rest of Fairlead reads of it
 * ({@link #proxies()}, {@link #currentNacks()}, {@link #onRejectionsChanged}), and the xDS meters
 * ({@link XdsMetrics}). The ADS service hands it each request before asking the cache, and each
 * response and note the cache answers with.
 *
 * <p>Resource names as requested are kept one String per distinct name and one set per distinct set
 * of names across all streams ({@link ResourceSets}): 1,000 proxies asking for the same 10,000
 * endpoint assignments would otherwise keep 10 million copies of their names.
 *
 * <p>Thread-safe: the registry is a concurrent map, each stream's state is guarded by its own
 * monitor, and rejection listeners run with no lock held.
 */
public final class StreamRegistry {

  private final Map<Long, StreamState> streams = new ConcurrentHashMap<>();
  private final ResourceSets resourceSets = new ResourceSets(Interners.newWeakInterner());
  private final List<Runnable> rejectionListeners = new CopyOnWriteArrayList<>();
  private final XdsMetrics metrics;
  private final Clock clock;

  /**
   * @param registry where the xDS meters go ({@link XdsMetrics})
   * @param clock stamps rejections ({@link ProxyStatus#lastNacks()})
   */
  public StreamRegistry(MeterRegistry registry, Clock clock) {
    this.metrics = new XdsMetrics(registry, this::openStreams);
    this.clock = clock;
  }

  /** How many open streams of a mode have asked for a type; read when the gauge is. */
  private int openStreams(ResourceType type, boolean delta) {
    int count = 0;
    for (StreamState stream : streams.values()) {
      if (stream.asks(type, delta)) {
        count++;
      }
    }
    return count;
  }

  /**
   * Runs {@code listener} (on an xDS thread; keep it short) whenever the set of current rejections
   * changes.
   */
  public void onRejectionsChanged(Runnable listener) {
    rejectionListeners.add(listener);
  }

  private void rejectionsChanged(boolean changed) {
    if (changed) {
      rejectionListeners.forEach(Runnable::run);
    }
  }

  /** A stream opened. */
  StreamState open(long streamId) {
    StreamState stream = new StreamState(streamId, clock);
    streams.put(streamId, stream);
    return stream;
  }

  /** A stream closed: it is forgotten, and its rejections with it. */
  void closed(long streamId) {
    StreamState stream = streams.remove(streamId);
    if (stream != null) {
      rejectionsChanged(stream.rejecting());
    }
  }

  /**
   * Takes a state-of-the-world request ({@link StreamState#request(DiscoveryRequest, ResourceSets,
   * long)}).
   */
  Optional<SotwRequest> request(StreamState stream, DiscoveryRequest request) {
    Optional<SotwRequest> taken = stream.request(request, resourceSets, System.nanoTime());
    taken.ifPresent(
        t ->
            counted(t.type(), request.hasErrorDetail(), t.convergedNanos(), t.rejectionsChanged()));
    return taken;
  }

  /**
   * Takes a delta request ({@link StreamState#request(DeltaDiscoveryRequest, ResourceSets, long)}).
   */
  Optional<DeltaRequest> request(StreamState stream, DeltaDiscoveryRequest request) {
    Optional<DeltaRequest> taken = stream.request(request, resourceSets, System.nanoTime());
    taken.ifPresent(
        t ->
            counted(t.type(), request.hasErrorDetail(), t.convergedNanos(), t.rejectionsChanged()));
    return taken;
  }

  private void counted(
      ResourceType type, boolean nack, long convergedNanos, boolean rejectionsChanged) {
    if (nack) {
      metrics.nacked(type);
    }
    metrics.converged(type, convergedNanos);
    rejectionsChanged(rejectionsChanged);
  }

  /**
   * The cache's {@code response} went out on {@code stream} with {@code nonce}, over delta or not.
   */
  void sent(StreamState stream, String nonce, Response response, boolean delta) {
    stream.sent(nonce, response);
    metrics.pushed(response.type(), delta);
  }

  /** Applies a note of the cache about {@code stream} ({@link StreamState#noted}). */
  void noted(StreamState stream, Answer note) {
    rejectionsChanged(stream.noted(note));
  }

  /** Every open stream that has identified itself, ordered by stream id. */
  public List<ProxyStatus> proxies() {
    List<ProxyStatus> all = new ArrayList<>();
    for (StreamState stream : streams.values()) {
      stream.status().ifPresent(all::add);
    }
    all.sort(Comparator.comparingLong(ProxyStatus::streamId));
    return all;
  }

  /** Every current rejection, across all proxies. */
  public List<Nack> currentNacks() {
    List<Nack> all = new ArrayList<>();
    for (ProxyStatus proxy : proxies()) {
      all.addAll(proxy.rejections().values());
    }
    return all;
  }
}
