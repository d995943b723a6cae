package dev.fairlead.xds.cache;

import com.google.common.collect.Interners;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server knows about every open xDS stream, kept from the ADS service's stream callbacks
 * (java-control-plane's {@code DiscoveryServerCallbacks} interface):
 *
 * <ul>
 *   <li>the node, remembered from the first request, so proxies that send it only once
 *       ({@code set_node_on_first_message_only}) still belong to their fleet;</li>
 *   <li>the version behind each nonce sent, so an ACK tells which version a proxy holds and a NACK tells
 *       which version it rejected — the cache then never re-sends a rejected version;</li>
 *   <li>for delta streams, what the client holds: the versions it reconnected with
 *       ({@code initial_resource_versions}) until its first answer, then the change of the fleet's resources it has
 *       been brought up to and the names it holds and subscribes to, as sets shared across streams
 *       ({@link DeltaState});</li>
 *   <li>each proxy's current rejection per type, logged once and cleared when it accepts a later version, and its
 *       last rejection with when it came;</li>
 *   <li>per type, the version last sent and the last change of the fleet's resources the proxy is known to hold,
 *       for the convergence time ({@link XdsMetrics}).</li>
 * </ul>
 *
 * <p>The ADS service (java-control-plane's callback interface) calls {@link #onV3StreamRequest} and then, on the
 * same thread, the cache's {@code createWatch} for the same request object; the context is handed over through a thread-local checked
 * by identity ({@link #takeSotw}, {@link #takeDelta}).
 *
 * <p>Thread-safe: the registry is a concurrent map; each stream's state is guarded by its own monitor.
 */
public final class StreamRegistry implements DiscoveryServerCallbacks {

  private static final Logger LOG = LoggerFactory.getLogger(StreamRegistry.class);

  private final Map<Long, StreamState> streams = new ConcurrentHashMap<>();
  /**
   * Resource names as requested, one String per distinct name and one set per distinct set of names across all
   * streams: 1,000 proxies asking for the same 10,000 endpoint assignments would otherwise keep 10 million copies
   * of their names.
   */
  private final ResourceSets resourceSets = new ResourceSets(Interners.newWeakInterner());
  private final ThreadLocal<Object> handoff = new ThreadLocal<>();
  private final List<Runnable> rejectionListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final XdsMetrics metrics;
  private final Clock clock;

  /** @param registry where the xDS meters go ({@link XdsMetrics}) */
  public StreamRegistry(MeterRegistry registry) {
    this(registry, Clock.systemUTC());
  }

  /** @param clock stamps rejections ({@link ProxyStatus#lastNacks()}) */
  public StreamRegistry(MeterRegistry registry, Clock clock) {
    this.metrics = new XdsMetrics(registry, this::openStreams);
    this.clock = clock;
  }

  /** How many open streams of a mode have asked for a type; read when the gauge is. */
  private int openStreams(ResourceType type, boolean delta) {
    int count = 0;
    for (StreamState stream : streams.values()) {
      synchronized (stream) {
        if (stream.delta == delta && stream.requested.contains(type)) {
          count++;
        }
      }
    }
    return count;
  }

  /** Runs {@code listener} (on an xDS thread; keep it short) whenever the set of current rejections changes. */
  public void onRejectionsChanged(Runnable listener) {
    rejectionListeners.add(listener);
  }

  private void rejectionsChanged(boolean changed) {
    if (changed) {
      rejectionListeners.forEach(Runnable::run);
    }
  }

  /**
   * Context of a state-of-the-world request, for the cache. For named types (EDS, RDS): {@code names} are those the
   * request asks for, {@code addedNames} those its previous request of the type on this stream did not (the proxy
   * may not hold them whatever its version_info), and {@code firstOfType} says there was no previous request.
   */
  record SotwContext(DiscoveryRequest request, long streamId, String nodeId, String fleet, Audience audience,
      StreamState stream, Optional<String> rejectedVersion, Set<String> names, Set<String> addedNames,
      boolean firstOfType) {

    /** The same context for another request object: the one the cache's watch keeps. */
    SotwContext withRequest(DiscoveryRequest kept) {
      return new SotwContext(kept, streamId, nodeId, fleet, audience, stream, rejectedVersion, names, addedNames,
          firstOfType);
    }
  }

  /** Context of a delta request, for the cache. */
  record DeltaContext(DeltaDiscoveryRequest request, long streamId, String nodeId, String fleet, Audience audience,
      StreamState stream, ResourceType type) {

    /** The same context for another request object: the one the cache's watch keeps. */
    DeltaContext withRequest(DeltaDiscoveryRequest kept) {
      return new DeltaContext(kept, streamId, nodeId, fleet, audience, stream, type);
    }
  }

  @Override
  public void onStreamOpen(long streamId, String typeUrl) {
    streams.put(streamId, new StreamState(streamId, clock));
  }

  @Override
  public void onStreamClose(long streamId, String typeUrl) {
    closed(streams.remove(streamId));
  }

  @Override
  public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
    closed(streams.remove(streamId));
  }

  private void closed(StreamState stream) {
    if (stream != null) {
      boolean hadRejections;
      synchronized (stream) {
        hadRejections = !stream.rejections.isEmpty();
      }
      rejectionsChanged(hadRejections);
    }
  }

  @Override
  public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
    StreamState stream = stream(streamId);
    Optional<ResourceType> type = ResourceType.ofTypeUrl(request.getTypeUrl());
    Optional<String> rejected = Optional.empty();
    boolean changed = false;
    Set<String> names = Set.of();
    Set<String> added = Set.of();
    boolean firstOfType = false;
    long converged = -1;
    long now = System.nanoTime();
    synchronized (stream) {
      stream.rememberNode(request.hasNode() ? request.getNode() : null);
      if (type.isPresent()) {
        stream.requested.add(type.get());
        if (!type.get().wildcard()) {
          // Envoy names the same resources in every request (each ACK): build a set only when they differ, and keep
          // it shared with every stream asking for the same.
          List<String> listed = request.getResourceNamesList();
          NamedSubscription subscription = stream.named.get(type.get());
          firstOfType = subscription == null;
          Set<String> before = firstOfType ? null : subscription.names;
          if (!firstOfType && listed.size() == before.size() && before.containsAll(listed)) {
            names = before;
          } else {
            names = resourceSets.of(listed);
            stream.named.computeIfAbsent(type.get(), t -> new NamedSubscription()).names = names;
            if (before != null && !before.equals(names)) {
              added = new java.util.HashSet<>(names);
              added.removeAll(before);
            }
          }
        }
        Sent sent = stream.sotwSent.get(type.get());
        if (sent != null && sent.nonce().equals(request.getResponseNonce())) {
          if (request.hasErrorDetail()) {
            rejected = Optional.of(sent.version());
            changed = stream.reject(type.get(), sent.version(), sent.names(), request.getErrorDetail().getMessage());
          } else {
            stream.acked.put(type.get(), sent.version());
            converged = stream.acknowledged(type.get(), sent.change(), now);
            // A named type's response carries only what changed: accepting one clears a rejection only if it
            // carried every resource rejected.
            Nack standing = stream.rejections.get(type.get());
            if (type.get().wildcard() || standing == null || sent.names().containsAll(standing.resourceNames())) {
              changed = stream.clearRejection(type.get(), "accepted version " + sent.version());
            }
          }
        }
      }
    }
    count(type, request.hasErrorDetail(), converged);
    rejectionsChanged(changed);
    handoff.set(new SotwContext(request, streamId, stream.nodeId(), stream.fleet(), stream.audience(), stream,
        rejected, names, added, firstOfType));
  }

  @Override
  public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
    StreamState stream = streams.get(streamId);
    Optional<ResourceType> type = ResourceType.ofTypeUrl(response.getTypeUrl());
    if (stream == null || type.isEmpty()) {
      return;
    }
    synchronized (stream) {
      // The Anys are the cache's shared encodings: keeping the list costs nothing, and names are decoded
      // only if this response is ever rejected.
      Outgoing outgoing = stream.takeOutgoing(type.get(), request);
      stream.sotwSent.put(type.get(), new Sent(response.getNonce(), response.getVersionInfo(),
          response.getResourcesList(), outgoing == null ? null : outgoing.tag()));
      if (outgoing != null) {
        outgoing.onSent().run();
      }
      stream.lastSent.put(type.get(), response.getVersionInfo());
    }
    metrics.pushed(type.get(), false);
  }

  @Override
  public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
    StreamState stream = stream(streamId);
    Optional<ResourceType> type = ResourceType.ofTypeUrl(request.getTypeUrl());
    boolean changed = false;
    long converged = -1;
    synchronized (stream) {
      stream.delta = true;
      stream.rememberNode(request.hasNode() ? request.getNode() : null);
      if (type.isPresent()) {
        stream.requested.add(type.get());
        DeltaState state = stream.deltaState(type.get());
        changed = state.onRequest(stream, type.get(), request, resourceSets);
        converged = state.takeConverged();
      }
    }
    count(type, request.hasErrorDetail(), converged);
    rejectionsChanged(changed);
    handoff.set(type.isPresent()
        ? new DeltaContext(request, streamId, stream.nodeId(), stream.fleet(), stream.audience(), stream, type.get())
        : null);
  }

  @Override
  public void onV3StreamDeltaResponse(long streamId, DeltaDiscoveryRequest request,
      DeltaDiscoveryResponse response) {
    StreamState stream = streams.get(streamId);
    Optional<ResourceType> type = ResourceType.ofTypeUrl(response.getTypeUrl());
    if (stream == null || type.isEmpty()) {
      return;
    }
    synchronized (stream) {
      Outgoing outgoing = stream.takeOutgoing(type.get(), request);
      // The response's own list of the cache's shared Resource messages: nothing is copied per stream.
      stream.deltaState(type.get()).pending.put(response.getNonce(),
          new PendingDelta(response.getSystemVersionInfo(), response.getResourcesList(),
              response.getRemovedResourcesList(), outgoing == null ? null : outgoing.tag()));
      if (outgoing != null) {
        outgoing.onSent().run();
      }
      stream.lastSent.put(type.get(), response.getSystemVersionInfo());
    }
    metrics.pushed(type.get(), true);
  }

  private void count(Optional<ResourceType> type, boolean nack, long convergedNanos) {
    if (type.isPresent()) {
      if (nack) {
        metrics.nacked(type.get());
      }
      metrics.converged(type.get(), convergedNanos);
    }
  }

  /** The context {@link #onV3StreamRequest} prepared for exactly this request, if any. */
  Optional<SotwContext> takeSotw(DiscoveryRequest request) {
    Object context = handoff.get();
    handoff.remove();
    return context instanceof SotwContext sotw && sotw.request() == request ? Optional.of(sotw) : Optional.empty();
  }

  /** The context {@link #onV3StreamDeltaRequest} prepared for exactly this request, if any. */
  Optional<DeltaContext> takeDelta(DeltaDiscoveryRequest request) {
    Object context = handoff.get();
    handoff.remove();
    return context instanceof DeltaContext delta && delta.request() == request
        ? Optional.of(delta) : Optional.empty();
  }

  /**
   * The cache found that a state-of-the-world proxy already holds the current version of a type, as of change
   * {@code change} of its fleet: whatever it rejected before no longer applies (the configuration went back to what
   * it accepted), and nothing is outstanding.
   */
  void holdsCurrent(StreamState stream, ResourceType type, long change) {
    boolean changed;
    synchronized (stream) {
      changed = stream.clearRejection(type, "holds the current version again");
      stream.upToDate(type, change);
    }
    rejectionsChanged(changed);
  }

  /** The cache has nothing to send a stream for a type as of change {@code change}: it holds all it should. */
  void upToDate(StreamState stream, ResourceType type, long change) {
    synchronized (stream) {
      stream.upToDate(type, change);
    }
  }

  /**
   * The cache is about to answer {@code request} of a stream with its fleet's resources as of the latest change
   * of {@code log}; the response callback picks the tag up ({@link StreamState#takeOutgoing}) and, once the response
   * is on its way, runs {@code onSent} under the stream's monitor. A response that is never sent (its watch was
   * cancelled first) never runs it.
   */
  void answering(StreamState stream, ResourceType type, Object request, ChangeLog log, Runnable onSent) {
    synchronized (stream) {
      long held = stream.heldChange(type, log.latest());
      stream.outgoing.put(type, new Outgoing(request, new ChangeTag(log.latest(), log.observedAfter(held)),
          onSent));
    }
  }


  /** Starts following a stream's progress on a type at the current change, when it first asks for the type. */
  void subscribed(StreamState stream, ResourceType type, ChangeLog log) {
    synchronized (stream) {
      stream.heldChange(type, log.latest());
    }
  }

  /**
   * Clears a state-of-the-world stream's rejection of a named type once none of the resources it rejected is still
   * {@code wanted} (they were deleted, or it no longer asks for them).
   */
  void dropRejectionIfGone(StreamState stream, ResourceType type, java.util.function.Predicate<String> wanted) {
    boolean changed = false;
    synchronized (stream) {
      Nack standing = stream.rejections.get(type);
      if (standing != null && standing.resourceNames().stream().noneMatch(wanted)) {
        changed = stream.clearRejection(type, "no longer has the resources it rejected");
      }
    }
    rejectionsChanged(changed);
  }

  /** The cache found rejected delta resources that no longer exist: they are no longer rejected. */
  void rejectedResourcesGone(StreamState stream, ResourceType type, Collection<String> names) {
    boolean changed;
    synchronized (stream) {
      changed = stream.deltaState(type).forget(stream, type, names, "no longer has the resources it rejected");
    }
    rejectionsChanged(changed);
  }

  /** Every open stream that has identified itself, ordered by stream id. */
  public List<ProxyStatus> proxies() {
    List<ProxyStatus> all = new ArrayList<>();
    for (StreamState stream : streams.values()) {
      synchronized (stream) {
        if (stream.node != null) {
          all.add(new ProxyStatus(stream.id, stream.nodeId(), stream.fleet(), stream.delta, stream.audience(),
              stream.acked, stream.lastSent, stream.rejections, stream.lastNacks));
        }
      }
    }
    all.sort(java.util.Comparator.comparingLong(ProxyStatus::streamId));
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

  private StreamState stream(long streamId) {
    return streams.computeIfAbsent(streamId, id -> new StreamState(id, clock));
  }

  private record Sent(String nonce, String version, List<com.google.protobuf.Any> resources, ChangeTag change) {
    List<String> names() {
      return resources.stream().map(io.envoyproxy.controlplane.cache.Resources::getResourceName).sorted().toList();
    }
  }

  private record PendingDelta(String systemVersion, List<Resource> resources, List<String> removed,
      ChangeTag change) {
  }

  /**
   * What a response carries: the fleet's resources as of change {@code change}, and when the first change the
   * stream did not hold yet was observed ({@link System#nanoTime()}; -1 when it carries no new change).
   */
  record ChangeTag(long change, long firstObservedNanos) {
  }

  /** A tag waiting for the response to {@code request} to be sent, and what to do once it is. */
  private record Outgoing(Object request, ChangeTag tag, Runnable onSent) {
  }

  /** One stream. Guarded by its own monitor. */
  static final class StreamState {
    private final long id;
    private final Clock clock;
    private Node node;
    private boolean delta;
    private final Set<ResourceType> requested = EnumSet.noneOf(ResourceType.class);
    private final Map<ResourceType, Sent> sotwSent = new EnumMap<>(ResourceType.class);
    /** Per named type, what the stream's state-of-the-world requests ask for and hold. */
    private final Map<ResourceType, NamedSubscription> named = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, DeltaState> deltaStates = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, String> acked = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, String> lastSent = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, Nack> rejections = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, ProxyStatus.LastNack> lastNacks = new EnumMap<>(ResourceType.class);
    /** Per type, the last change of the fleet's resources this stream is known to hold. */
    private final Map<ResourceType, Long> held = new EnumMap<>(ResourceType.class);
    private final Map<ResourceType, Outgoing> outgoing = new EnumMap<>(ResourceType.class);

    StreamState(long id, Clock clock) {
      this.id = id;
      this.clock = clock;
    }

    /**
     * Holds, of a named type over state-of-the-world, every resource it asks for as of sequence number
     * {@code sequence} of the fleet's resources ({@link TypeResources#sequence()}). Call with the monitor held.
     */
    void holdsNamedAsOf(ResourceType type, long sequence) {
      NamedSubscription subscription = named.get(type);
      if (subscription != null) {
        subscription.heldAsOf = Math.max(subscription.heldAsOf, sequence);
      }
    }

    /** The sequence number this stream holds a named type as of; -1 if none. Call with the monitor held. */
    long namedHeldAsOf(ResourceType type) {
      NamedSubscription subscription = named.get(type);
      return subscription == null ? -1 : subscription.heldAsOf;
    }

    /** The change this stream holds of a type; the first time, {@code current} (what came before is not its). */
    long heldChange(ResourceType type, long current) {
      return held.computeIfAbsent(type, t -> current);
    }

    /** Holds everything of a type as of {@code change}: no convergence is pending, nothing sent is outstanding. */
    void upToDate(ResourceType type, long change) {
      held.merge(type, change, Math::max);
      String version = acked.get(type);
      if (version != null && !rejections.containsKey(type)) {
        lastSent.put(type, version);
      }
    }

    /** What the cache left for the response being sent for {@code request}, if anything. */
    Outgoing takeOutgoing(ResourceType type, Object request) {
      Outgoing tagged = outgoing.get(type);
      if (tagged == null || tagged.request() != request) {
        return null;
      }
      outgoing.remove(type);
      return tagged;
    }

    /**
     * The proxy accepted a response carrying {@code tag}: returns how long since the first change it carried was
     * observed, or -1 if it carried none new.
     */
    long acknowledged(ResourceType type, ChangeTag tag, long nowNanos) {
      if (tag == null) {
        return -1;
      }
      Long before = held.get(type);
      if (before != null && tag.change() <= before) {
        return -1;
      }
      held.put(type, tag.change());
      return tag.firstObservedNanos() < 0 ? -1 : Math.max(0, nowNanos - tag.firstObservedNanos());
    }

    void rememberNode(Node fromRequest) {
      if (node == null && fromRequest != null) {
        node = fromRequest;
      }
    }

    String nodeId() {
      return node == null ? "" : node.getId();
    }

    String fleet() {
      return node == null ? "" : node.getCluster();
    }

    Audience audience() {
      return Audience.of(node);
    }

    DeltaState deltaState(ResourceType type) {
      return deltaStates.computeIfAbsent(type, t -> new DeltaState());
    }

    /** Drops the rejection of a type, if any; returns whether there was one. */
    boolean clearRejection(ResourceType type, String why) {
      Nack cleared = rejections.remove(type);
      if (cleared != null) {
        LOG.info("Proxy {} (fleet {}) {} of {}; its rejection of version {} is cleared", nodeId(), fleet(), why,
            type.shortName(), cleared.rejectedVersion());
      }
      return cleared != null;
    }

    /** Records a rejection (logged once per distinct one); returns whether the current rejections changed. */
    boolean reject(ResourceType type, String version, Collection<String> names, String message) {
      Nack nack = new Nack(nodeId(), fleet(), type, version, List.copyOf(names), message);
      Nack previous = rejections.put(type, nack);
      lastNacks.put(type, new ProxyStatus.LastNack(nack, clock.instant()));
      boolean changed = !nack.equals(previous);
      if (previous == null || !previous.rejectedVersion().equals(version) || !previous.message().equals(message)) {
        LOG.warn("Proxy {} (fleet {}) rejected {} version {} ({}): {}", nodeId(), fleet(), type.shortName(), version,
            String.join(", ", names), message);
      }
      return changed;
    }
  }

  /**
   * A named type (EDS, RDS) on a state-of-the-world stream: the names its last request listed (a set shared with
   * every stream asking for the same, {@link ResourceSets}) and the sequence number of the fleet's resources as of
   * which it holds all of them. Guarded by the owning {@link StreamState}'s monitor.
   */
  private static final class NamedSubscription {
    private Set<String> names = Set.of();
    private long heldAsOf = -1;
  }

  /**
   * The delta view of one type on one stream: the names the client holds and subscribes to, the versions it rejected
   * (never sent again), and responses awaiting its answer. Guarded by the owning {@link StreamState}'s monitor.
   *
   * <p>No map of every resource's version per stream: which versions a client holds follows from the fleet's
   * change sequence ({@link #synced}) — a resource changed since is one it does not hold — so only the names are
   * kept, and those as sets shared by every stream holding the same ({@link ResourceSets}). A thousand proxies
   * holding the same 10,000 assignments share one set instead of keeping a thousand maps.
   */
  static final class DeltaState {
    /** What a reconnecting client said it holds ({@code initial_resource_versions}), until its first answer. */
    private Map<String, String> initialVersions = Map.of();
    /** The names the client holds, as far as its acknowledgements say. Shared; replaced, never changed. */
    private Set<String> held = Set.of();
    private final Map<String, String> rejected = new HashMap<>();
    private final Map<String, PendingDelta> pending = new HashMap<>();
    /** For named types: the names the client subscribed to (removal of a resource does not unsubscribe it). Shared. */
    private Set<String> subscribed = Set.of();
    /** Names to look at on the next answer whether or not they changed: (re-)subscribed since the last one. */
    private final Set<String> recheck = new java.util.HashSet<>();
    /**
     * The sequence number of the fleet's resources ({@link TypeResources#sequence()}) up to which every change has
     * been looked at for this stream: sent, found held, or withheld as rejected; -1 until the first answer.
     */
    private long synced = -1;
    private boolean seenFirstRequest;
    private boolean answeredOnce;
    /** The convergence time the last request's ACK gave (-1: none), until {@link #takeConverged} reads it. */
    private long converged = -1;

    /** Applies a request; returns whether the stream's current rejections changed. */
    boolean onRequest(StreamState stream, ResourceType type, DeltaDiscoveryRequest request, ResourceSets sets) {
      if (!seenFirstRequest) {
        seenFirstRequest = true;
        // A reconnecting client says what it holds; it is sent only what differs, and told what is gone.
        Map<String, String> initial = request.getInitialResourceVersionsMap();
        if (!initial.isEmpty()) {
          initialVersions = new HashMap<>(initial);
          held = sets.with(held, initial.keySet());
          if (!type.wildcard()) {
            subscribed = sets.with(subscribed, initial.keySet());
          }
        }
      } else if (!type.wildcard()) {
        // An explicit (re-)subscription asks for the resource again, e.g. for a cluster that is warming.
        forgetInitialVersions(request.getResourceNamesSubscribeList());
      }
      if (!type.wildcard()) {
        List<String> subscribing = new ArrayList<>();
        for (String name : request.getResourceNamesSubscribeList()) {
          if (!name.equals("*")) {
            subscribing.add(name);
          }
        }
        subscribed = sets.with(subscribed, subscribing);
        if (synced >= 0) {
          // Before its first answer everything subscribed is looked at anyway: no per-stream copy of 10,000 names.
          subscribing.forEach(name -> recheck.add(sets.name(name)));
        }
      }
      List<String> unsubscribing = request.getResourceNamesUnsubscribeList();
      if (!unsubscribing.isEmpty()) {
        forgetInitialVersions(unsubscribing);
        unsubscribing.forEach(recheck::remove);
        held = sets.without(held, unsubscribing);
        subscribed = sets.without(subscribed, unsubscribing);
      }
      boolean changed = forget(stream, type, unsubscribing, "unsubscribed from the resources it rejected");
      if (request.getResponseNonce().isEmpty()) {
        return changed;
      }
      PendingDelta answered = pending.remove(request.getResponseNonce());
      if (answered == null) {
        return changed;
      }
      if (request.hasErrorDetail()) {
        List<String> names = new ArrayList<>(answered.resources().size());
        for (Resource resource : answered.resources()) {
          rejected.put(resource.getName(), resource.getVersion());
          names.add(resource.getName());
        }
        names.sort(null);
        return stream.reject(type, answered.systemVersion(), names, request.getErrorDetail().getMessage()) | changed;
      }
      List<String> sent = answered.resources().stream().map(Resource::getName).toList();
      held = sets.without(sets.with(held, sent), answered.removed());
      stream.acked.put(type, answered.systemVersion());
      converged = stream.acknowledged(type, answered.change(), System.nanoTime());
      // Delta rejections are per resource: the rejection stands until each rejected resource is accepted.
      return forget(stream, type, sent, "accepted every resource it rejected") | changed;
    }

    /**
     * The client no longer holds what it reconnected with for {@code names}. After the first answer there is nothing
     * to forget: the map is then the empty, immutable {@code Map.of()}.
     */
    private void forgetInitialVersions(Collection<String> names) {
      if (!initialVersions.isEmpty()) {
        names.forEach(initialVersions::remove);
      }
    }

    /** No longer counts {@code names} as rejected; clears the stream's rejection once none is left. */
    boolean forget(StreamState stream, ResourceType type, Collection<String> names, String why) {
      boolean removedAny = false;
      for (String name : names) {
        removedAny |= rejected.remove(name) != null;
      }
      return removedAny && rejected.isEmpty() && stream.clearRejection(type, why);
    }

    /**
     * After {@link #onRequest}: how long since the first change the response it acknowledged carried was observed,
     * or -1 if it acknowledged none or carried none new.
     */
    long takeConverged() {
      long nanos = converged;
      converged = -1;
      return nanos;
    }

    /*
     * What the cache reads to compute the next response. Live views: call, and use them, with the owning stream's
     * monitor held.
     */

    /**
     * The version of each resource a reconnecting client said it holds, until its first answer has gone out; empty
     * after that, when what it holds follows from {@link #synced()} and {@link #held()}.
     */
    Map<String, String> initialVersions() {
      return initialVersions;
    }

    /** The names the client holds, as far as its acknowledgements say. */
    Set<String> held() {
      return held;
    }

    /** The versions of resources it rejected, never sent it again. */
    Map<String, String> rejected() {
      return rejected;
    }

    /** For named types, the names it subscribed to. */
    Set<String> subscribed() {
      return subscribed;
    }

    /** Names to look at on the next answer whether or not they changed. */
    Set<String> recheck() {
      return recheck;
    }

    /** Up to which sequence number every change has been looked at; -1 before the first answer. */
    long synced() {
      return synced;
    }

    /**
     * Every change up to {@code sequence} has now been looked at, and of {@code rechecked} too: call when a response
     * computed then goes out, or when nothing needed to be sent.
     */
    void syncedUpTo(long sequence, Collection<String> rechecked) {
      synced = Math.max(synced, sequence);
      initialVersions = Map.of();
      // One removal per name: Set.removeAll(List) may call List.contains per element of the set, O(n²).
      for (String name : rechecked) {
        recheck.remove(name);
      }
    }

    /** Whether the client still waits for its first response of this type on this stream. */
    boolean owesFirstResponse() {
      return !answeredOnce;
    }

    void markAnswered() {
      answeredOnce = true;
    }
  }
}
