package dev.fairlead.xds.server;

import com.google.protobuf.MessageLite;
import dev.fairlead.api.log.Shown;
import dev.fairlead.tls.UndecodableRequests;
import dev.fairlead.xds.cache.Answer;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.Watch;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.StreamState.DeltaRequest;
import dev.fairlead.xds.server.StreamState.SotwRequest;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fairlead's aggregated discovery service, state-of-the-world and delta, over its {@link XdsCache}:
 * the xDS protocol (nonces, ACK and NACK, one open watch per type, ordering of cluster and endpoint
 * responses), with what it takes at scale:
 *
 * <ul>
 *   <li>responses go out when the stream can take them ({@link Outbound}) within a server-wide
 *       budget of bytes in flight ({@link SendBudget}), not serialized for every stream at once;
 *   <li>a response is built from the cache's shared encodings — the same {@code Any} and, over
 *       delta, the same {@code Resource} message for every stream — so a stream costs a list of
 *       references, not copies;
 *   <li>no per-stream map of every resource's version: what a delta client holds is kept ({@link
 *       DeltaState}) as the change it has been brought up to and sets of names shared across
 *       streams.
 * </ul>
 *
 * <p>Each request goes to the {@link StreamRegistry} first, which updates the stream's state; the
 * stream's subscription is then handed to the cache as a parameter of a new watch, whose {@link
 * Answer}s come back to the stream. A state-of-the-world request is answered only if it carries the
 * nonce of the type's latest response (or none yet), and a delta type gets a new watch only when
 * none of its responses awaits an answer.
 *
 * <p><b>Bad requests end their stream only.</b> A request that cannot be decoded ({@link
 * UndecodableRequests}) or names no type gets INVALID_ARGUMENT on its stream; a fault of the server
 * while handling one gets INTERNAL. Either way the description says what was wrong in words of the
 * protocol, never an exception's text (which goes to the log), and every other stream goes on.
 *
 * <p><b>A stream's node must be printable.</b> A {@code node.id} or {@code node.cluster} with a
 * control character, or longer than {@value NodeNames#MAX_LENGTH} characters, ends the stream with
 * INVALID_ARGUMENT naming the field ({@link NodeNames}) before anything of it is kept or logged.
 *
 * <p><b>A stream gets only its own fleet.</b> Its first request is judged by {@link
 * ProxyAuthorization#decide}: a client whose certificate carries a proxy identity asking for
 * another fleet's {@code node.cluster} gets PERMISSION_DENIED, one without an identity where the
 * server requires one UNAUTHENTICATED, each with a WARN line naming the client, its identity and
 * what it asked for; other streams go on.
 */
final class AdsService {

  private static final Logger LOG = LoggerFactory.getLogger(AdsService.class);

  /** How much of a client's string (a type URL) a log line or an error description shows. */
  private static final int SHOWN_LIMIT = 256;

  private final XdsCache cache;
  private final StreamRegistry streams;
  private final SendBudget budget;
  private final ProxyAuthorization.Mode identity;
  private final AtomicLong nextStreamId = new AtomicLong();

  AdsService(
      XdsCache cache, StreamRegistry streams, SendBudget budget, ProxyAuthorization.Mode identity) {
    this.cache = cache;
    this.streams = streams;
    this.budget = budget;
    this.identity = identity;
  }

  /**
   * The ADS service as gRPC serves it: the methods of {@code
   * envoy.service.discovery.v3.AggregatedDiscoveryService} under their names and schema (which
   * reflection reads), a request that does not decode ending its own stream with INVALID_ARGUMENT
   * ({@link UndecodableRequests}).
   */
  ServerServiceDefinition definition() {
    ServerServiceDefinition ads =
        ServerServiceDefinition.builder(AggregatedDiscoveryServiceGrpc.getServiceDescriptor())
            .addMethod(
                AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
                ServerCalls.asyncBidiStreamingCall(
                    responses ->
                        new SotwStream(
                            nextStreamId.getAndIncrement(),
                            (ServerCallStreamObserver<DiscoveryResponse>) responses)))
            .addMethod(
                AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod(),
                ServerCalls.asyncBidiStreamingCall(
                    responses ->
                        new DeltaStream(
                            nextStreamId.getAndIncrement(),
                            (ServerCallStreamObserver<DeltaDiscoveryResponse>) responses)))
            .build();
    return UndecodableRequests.of(ads);
  }

  /**
   * What both kinds of stream share: its id, its state in the registry, its way out, its open
   * watches (one per type) and the end of it. Guarded by its own monitor; responses are queued on
   * {@link #out} under it, so nonces go out in order.
   */
  private abstract class Stream<Q, R extends MessageLite> implements StreamObserver<Q> {
    final long id;
    final StreamState state;
    final Outbound<R> out;
    private final boolean delta;
    private final Function<Q, String> typeUrl;
    private final Function<Q, Node> node;

    /**
     * What the TLS handshake proved about the client; read from the call's context when the stream
     * opens.
     */
    private final ProxyAuthorization.Peer peer;

    /**
     * Whether the first request passed {@link ProxyAuthorization#decide}; gRPC delivers requests
     * one at a time.
     */
    private boolean authorized;

    /**
     * Whether the stream's node passed {@link NodeNames#problem}; set by the first one it sends.
     */
    private boolean nodeChecked;

    private final Map<ResourceType, Watch> watches = new EnumMap<>(ResourceType.class);
    private long nextNonce;
    private boolean ended;

    /**
     * A cluster response went out since the last endpoint response: Envoy's warming clusters wait
     * for endpoints.
     */
    private boolean clusterChanged;

    Stream(
        long id,
        ServerCallStreamObserver<R> call,
        boolean delta,
        Function<Q, String> typeUrl,
        Function<Q, Node> node) {
      this.id = id;
      this.delta = delta;
      this.typeUrl = typeUrl;
      this.node = node;
      ProxyAuthorization.Peer inContext = ProxyAuthorization.PEER.get();
      this.peer =
          inContext == null ? ProxyAuthorization.Peer.anonymous("an unknown address") : inContext;
      this.out = new Outbound<>(call, budget);
      this.state = streams.open(id);
    }

    abstract void handle(Q request);

    /** The response to send for {@code response}, given its nonce. */
    abstract Function<String, R> prepare(Response response);

    /** Under the monitor: {@code response} goes out with {@code nonce}. */
    abstract void sending(Response response, String nonce);

    @Override
    public final void onNext(Q request) {
      String typeUrl = this.typeUrl.apply(request);
      if (typeUrl.isEmpty()) {
        fail(Status.INVALID_ARGUMENT.withDescription("[" + id + "] type URL is required for ADS"));
        return;
      }
      Node node = this.node.apply(request);
      if (!nodeChecked && node != null) {
        Optional<String> problem = NodeNames.problem(node);
        if (problem.isPresent()) {
          LOG.warn("[{}] xDS stream of {} refused: {}", id, peer, problem.get());
          fail(Status.INVALID_ARGUMENT.withDescription("[" + id + "] " + problem.get()));
          return;
        }
        nodeChecked = true;
      }
      if (!authorized) {
        String claimed = node == null ? "" : node.getCluster();
        if (ProxyAuthorization.decide(identity, peer, claimed)
            instanceof ProxyAuthorization.Verdict.Refused refused) {
          LOG.warn(
              "[{}] xDS stream of {} asking for node.cluster '{}' refused: {} {}",
              id,
              peer,
              claimed,
              refused.status().getCode(),
              refused.status().getDescription());
          fail(
              refused
                  .status()
                  .withDescription("[" + id + "] " + refused.status().getDescription()));
          return;
        }
        authorized = true;
      }
      try {
        handle(request);
      } catch (RuntimeException e) {
        String shownType = Shown.shown(typeUrl, SHOWN_LIMIT);
        LOG.error("[{}] xDS request for {} failed", id, shownType, e);
        fail(
            Status.INTERNAL.withDescription(
                "["
                    + id
                    + "] internal error handling a request for "
                    + shownType
                    + "; the server's log says more"));
      }
    }

    @Override
    public final void onError(Throwable error) {
      Status status = Status.fromThrowable(error);
      if (status.getCode() != Status.Code.CANCELLED) {
        LOG.warn("[{}] xDS stream failed: {}", id, status);
      }
      streams.closed(id);
      end();
      out.cancelled();
    }

    @Override
    public final void onCompleted() {
      streams.closed(id);
      end();
      out.close(StreamObserver::onCompleted);
    }

    private void fail(Status status) {
      streams.closed(id);
      end();
      out.close(call -> call.onError(status.asRuntimeException()));
    }

    private void end() {
      synchronized (this) {
        ended = true;
        watches.values().forEach(Watch::cancel);
        watches.clear();
      }
    }

    /**
     * Cancels the type's open watch and returns whether a cluster response is still unanswered by
     * endpoints; false when the stream has ended.
     */
    synchronized boolean rewatch(ResourceType type) {
      Watch previous = watches.remove(type);
      if (previous != null) {
        previous.cancel();
      }
      return clusterChanged;
    }

    synchronized boolean ended() {
      return ended;
    }

    /** Keeps the type's new watch, or cancels it if the stream ended while it was being made. */
    void watching(ResourceType type, Watch watch) {
      state.watching(type, watch.firstChange());
      synchronized (this) {
        if (ended) {
          watch.cancel();
        } else {
          watches.put(type, watch);
        }
      }
    }

    /**
     * What the cache tells a watch of this stream: a response to send, or a note for the stream's
     * state.
     */
    void answer(Answer answer) {
      if (answer instanceof Response response) {
        send(response);
      } else {
        streams.noted(state, answer);
      }
    }

    private void send(Response response) {
      Function<String, R> message = prepare(response);
      synchronized (this) {
        if (ended) {
          return;
        }
        String nonce = nonceFor(response.type());
        R built = message.apply(nonce);
        streams.sent(state, nonce, response, delta);
        sending(response, nonce);
        out.send(built);
      }
    }

    /**
     * Under the monitor: the next response's nonce, and note of what a cluster or endpoint response
     * means.
     */
    private String nonceFor(ResourceType type) {
      if (type == ResourceType.CLUSTER) {
        clusterChanged = true;
      } else if (type == ResourceType.ENDPOINT) {
        clusterChanged = false;
      }
      return Long.toString(nextNonce++);
    }
  }

  /** A state-of-the-world ADS stream. */
  private final class SotwStream extends Stream<DiscoveryRequest, DiscoveryResponse> {
    /** Per type, the nonce of the latest response. */
    private final Map<ResourceType, String> latestNonce = new EnumMap<>(ResourceType.class);

    SotwStream(long id, ServerCallStreamObserver<DiscoveryResponse> call) {
      super(
          id,
          call,
          false,
          DiscoveryRequest::getTypeUrl,
          request -> request.hasNode() ? request.getNode() : null);
    }

    @Override
    void handle(DiscoveryRequest request) {
      Optional<SotwRequest> taken = streams.request(state, request);
      if (taken.isEmpty()) {
        return; // a type Fairlead does not serve: never answered
      }
      ResourceType type = taken.get().type();
      synchronized (this) {
        String latest = latestNonce.get(type);
        if (ended() || (latest != null && !latest.equals(request.getResponseNonce()))) {
          return; // answers a response older than the latest, which is on its way: its answer
          // decides
        }
      }
      boolean clusterChanged = rewatch(type);
      watching(
          type, cache.watchSotw(state.subscription(taken.get(), clusterChanged), this::answer));
    }

    @Override
    Function<String, DiscoveryResponse> prepare(Response response) {
      DiscoveryResponse.Builder message =
          DiscoveryResponse.newBuilder()
              .setVersionInfo(response.version())
              .setTypeUrl(response.type().typeUrl());
      for (EncodedResource resource : response.resources()) {
        message.addResources(resource.any());
      }
      return nonce -> message.setNonce(nonce).build();
    }

    @Override
    void sending(Response response, String nonce) {
      latestNonce.put(response.type(), nonce);
    }
  }

  /** A delta ADS stream. */
  private final class DeltaStream extends Stream<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    /** Per type, the nonces of responses not answered yet. */
    private final Map<ResourceType, Set<String>> unanswered = new EnumMap<>(ResourceType.class);

    DeltaStream(long id, ServerCallStreamObserver<DeltaDiscoveryResponse> call) {
      super(
          id,
          call,
          true,
          DeltaDiscoveryRequest::getTypeUrl,
          request -> request.hasNode() ? request.getNode() : null);
    }

    @Override
    void handle(DeltaDiscoveryRequest request) {
      Optional<DeltaRequest> taken = streams.request(state, request);
      if (taken.isEmpty()) {
        return; // a type Fairlead does not serve: never answered
      }
      ResourceType type = taken.get().type();
      synchronized (this) {
        Set<String> waiting = unanswered.computeIfAbsent(type, t -> new HashSet<>());
        waiting.remove(request.getResponseNonce());
        // The stream's state took any subscription change; the watch made after the last answer
        // looks at it.
        if (ended() || !waiting.isEmpty()) {
          return;
        }
      }
      rewatch(type);
      watching(type, cache.watchDelta(state.subscription(type), this::answer));
    }

    @Override
    Function<String, DeltaDiscoveryResponse> prepare(Response response) {
      DeltaDiscoveryResponse.Builder message =
          DeltaDiscoveryResponse.newBuilder()
              .setSystemVersionInfo(response.version())
              .setTypeUrl(response.type().typeUrl())
              .addAllRemovedResources(response.removed());
      for (EncodedResource resource : response.resources()) {
        message.addResources(resource.deltaResource());
      }
      return nonce -> message.setNonce(nonce).build();
    }

    @Override
    void sending(Response response, String nonce) {
      unanswered.computeIfAbsent(response.type(), t -> new HashSet<>()).add(nonce);
    }
  }
}
