package dev.fairlead.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import com.google.protobuf.MessageLite;
import dev.fairlead.xds.cache.EncodedDeltaResponse;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.StreamRegistry;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.controlplane.cache.AbstractWatch;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fairlead's aggregated discovery service, state-of-the-world and delta, over its {@link XdsCache}: the protocol
 * handling java-control-plane's {@code V3DiscoveryServer} does (nonces, ACK and NACK, one open watch per type,
 * ordering of cluster and endpoint responses), with what that server lacks at scale:
 *
 * <ul>
 *   <li>responses go out when the stream can take them ({@link Outbound}) within a server-wide budget of bytes in
 *       flight ({@link SendBudget}), not serialized for every stream at once;</li>
 *   <li>a response is built from the cache's shared encodings — the same {@link Any} and, over delta, the same
 *       {@code Resource} message for every stream — so a stream costs a list of references, not copies;</li>
 *   <li>no per-stream map of every resource's version: what a delta client holds is kept by the
 *       {@link StreamRegistry} as the change it has been brought up to and sets of names shared across streams.</li>
 * </ul>
 *
 * <p>As in java-control-plane, a state-of-the-world request is answered only if it carries the nonce of the type's
 * latest response (or none yet), and a delta type gets a new watch only when none of its responses awaits an
 * answer. The registry sees every request before the cache does, on the same thread.
 */
final class AdsService extends AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase {

  private static final Logger LOG = LoggerFactory.getLogger(AdsService.class);
  /** java-control-plane's name for the stream type of ADS, which the registry's callbacks receive. */
  private static final String ANY_TYPE = "";

  private final XdsCache cache;
  private final StreamRegistry streams;
  private final SendBudget budget;
  private final AtomicLong nextStreamId = new AtomicLong();

  AdsService(XdsCache cache, StreamRegistry streams, SendBudget budget) {
    this.cache = cache;
    this.streams = streams;
    this.budget = budget;
  }

  @Override
  public StreamObserver<DiscoveryRequest> streamAggregatedResources(StreamObserver<DiscoveryResponse> responses) {
    return new SotwStream(nextStreamId.getAndIncrement(), (ServerCallStreamObserver<DiscoveryResponse>) responses);
  }

  @Override
  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
      StreamObserver<DeltaDiscoveryResponse> responses) {
    return new DeltaStream(nextStreamId.getAndIncrement(),
        (ServerCallStreamObserver<DeltaDiscoveryResponse>) responses);
  }

  /**
   * What both kinds of stream share: its id, its way out, its open watches (one per type) and the end of it.
   * Guarded by its own monitor; responses are queued on {@link #out} under it, so nonces go out in order.
   */
  private abstract class Stream<Q, R extends MessageLite> implements StreamObserver<Q> {
    final long id;
    final Outbound<R> out;
    private final Function<Q, String> typeUrl;
    private final Map<String, AbstractWatch<?, ?>> watches = new HashMap<>();
    private long nextNonce;
    private boolean ended;
    /** A cluster response went out since the last endpoint response: Envoy's warming clusters wait for endpoints. */
    private boolean clusterChanged;

    Stream(long id, ServerCallStreamObserver<R> call, Function<Q, String> typeUrl) {
      this.id = id;
      this.typeUrl = typeUrl;
      this.out = new Outbound<>(call, budget);
      streams.onStreamOpen(id, ANY_TYPE);
    }

    abstract void handle(String typeUrl, Q request);

    @Override
    public final void onNext(Q request) {
      String typeUrl = this.typeUrl.apply(request);
      if (typeUrl.isEmpty()) {
        fail(Status.INVALID_ARGUMENT.withDescription("[" + id + "] type URL is required for ADS"));
        return;
      }
      try {
        handle(typeUrl, request);
      } catch (RuntimeException e) {
        LOG.error("[{}] xDS request for {} failed", id, typeUrl, e);
        fail(Status.INTERNAL.withDescription("[" + id + "] " + e));
      }
    }

    @Override
    public final void onError(Throwable error) {
      Status status = Status.fromThrowable(error);
      if (status.getCode() != Status.Code.CANCELLED) {
        LOG.warn("[{}] xDS stream failed: {}", id, status);
      }
      streams.onStreamCloseWithError(id, ANY_TYPE, error);
      end();
      out.cancelled();
    }

    @Override
    public final void onCompleted() {
      streams.onStreamClose(id, ANY_TYPE);
      end();
      out.close(StreamObserver::onCompleted);
    }

    private void fail(Status status) {
      streams.onStreamCloseWithError(id, ANY_TYPE, status.asRuntimeException());
      end();
      out.close(call -> call.onError(status.asRuntimeException()));
    }

    private void end() {
      synchronized (this) {
        ended = true;
        watches.values().forEach(AbstractWatch::cancel);
        watches.clear();
      }
    }

    /**
     * Cancels the type's open watch and returns whether a cluster response is still unanswered by endpoints; false
     * when the stream has ended.
     */
    synchronized boolean rewatch(String typeUrl) {
      AbstractWatch<?, ?> previous = watches.remove(typeUrl);
      if (previous != null) {
        previous.cancel();
      }
      return clusterChanged;
    }

    synchronized boolean ended() {
      return ended;
    }

    /** Keeps the type's new watch, or cancels it if the stream ended while it was being made. */
    synchronized void watching(String typeUrl, AbstractWatch<?, ?> watch) {
      if (ended) {
        watch.cancel();
      } else {
        watches.put(typeUrl, watch);
      }
    }

    /** Under the monitor: the next response's nonce, and note of what a cluster or endpoint response means. */
    String nonceFor(String typeUrl) {
      if (typeUrl.equals(ResourceType.CLUSTER.typeUrl())) {
        clusterChanged = true;
      } else if (typeUrl.equals(ResourceType.ENDPOINT.typeUrl())) {
        clusterChanged = false;
      }
      return Long.toString(nextNonce++);
    }
  }

  /** A state-of-the-world ADS stream. */
  private final class SotwStream extends Stream<DiscoveryRequest, DiscoveryResponse> {
    /** Per type, the nonce of the latest response. */
    private final Map<String, String> latestNonce = new HashMap<>();

    SotwStream(long id, ServerCallStreamObserver<DiscoveryResponse> call) {
      super(id, call, DiscoveryRequest::getTypeUrl);
    }

    @Override
    void handle(String typeUrl, DiscoveryRequest request) {
      streams.onV3StreamRequest(id, request);
      synchronized (this) {
        String latest = latestNonce.get(typeUrl);
        if (ended() || latest != null && !latest.equals(request.getResponseNonce())) {
          return; // answers a response older than the latest, which is on its way: its answer decides
        }
      }
      boolean clusterChanged = rewatch(typeUrl);
      watching(typeUrl, cache.createWatch(true, XdsRequest.create(request), Set.of(), r -> send(typeUrl, r),
          clusterChanged, false));
    }

    private void send(String typeUrl, Response response) {
      DiscoveryResponse.Builder message = DiscoveryResponse.newBuilder()
          .setVersionInfo(response.version())
          .setTypeUrl(typeUrl);
      // The cache's resources are its shared encodings, already packed.
      for (Message resource : response.resources()) {
        message.addResources((Any) resource);
      }
      synchronized (this) {
        if (ended()) {
          return;
        }
        DiscoveryResponse built = message.setNonce(nonceFor(typeUrl)).build();
        streams.onV3StreamResponse(id, response.request().v3Request(), built);
        latestNonce.put(typeUrl, built.getNonce());
        out.send(built);
      }
    }
  }

  /** A delta ADS stream. */
  private final class DeltaStream extends Stream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    /** Per type, the nonces of responses not answered yet. */
    private final Map<String, Set<String>> unanswered = new HashMap<>();
    /** Per type, the system version of the latest response. */
    private final Map<String, String> latestVersion = new HashMap<>();

    DeltaStream(long id, ServerCallStreamObserver<DeltaDiscoveryResponse> call) {
      super(id, call, DeltaDiscoveryRequest::getTypeUrl);
    }

    @Override
    void handle(String typeUrl, DeltaDiscoveryRequest request) {
      streams.onV3StreamDeltaRequest(id, request);
      String version;
      synchronized (this) {
        Set<String> waiting = unanswered.computeIfAbsent(typeUrl, t -> new HashSet<>());
        waiting.remove(request.getResponseNonce());
        // Subscriptions changed meanwhile are in the registry; the watch made after the last answer looks at them.
        if (ended() || !waiting.isEmpty()) {
          return;
        }
        version = latestVersion.getOrDefault(typeUrl, "");
      }
      boolean clusterChanged = rewatch(typeUrl);
      boolean wildcard = typeUrl.equals(ResourceType.CLUSTER.typeUrl())
          || typeUrl.equals(ResourceType.LISTENER.typeUrl());
      watching(typeUrl, cache.createDeltaWatch(DeltaXdsRequest.create(request), version, Map.of(), Set.of(),
          wildcard, r -> send(typeUrl, r), clusterChanged));
    }

    private void send(String typeUrl, DeltaResponse response) {
      DeltaDiscoveryResponse.Builder message = DeltaDiscoveryResponse.newBuilder()
          .setSystemVersionInfo(response.version())
          .setTypeUrl(typeUrl)
          .addAllRemovedResources(response.removedResources());
      // The cache answers delta watches with its shared Resource messages, never a map of them.
      message.addAllResources(((EncodedDeltaResponse) response).encoded());
      synchronized (this) {
        if (ended()) {
          return;
        }
        DeltaDiscoveryResponse built = message.setNonce(nonceFor(typeUrl)).build();
        streams.onV3StreamDeltaResponse(id, response.request().v3Request(), built);
        unanswered.computeIfAbsent(typeUrl, t -> new HashSet<>()).add(built.getNonce());
        latestVersion.put(typeUrl, response.version());
        out.send(built);
      }
    }
  }
}
