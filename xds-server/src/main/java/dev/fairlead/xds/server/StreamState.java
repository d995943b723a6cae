package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.Answer;
import dev.fairlead.xds.cache.Answer.Holds;
import dev.fairlead.xds.cache.Answer.RejectedGone;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.DeltaSubscription;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.Proxy;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.SotwSubscription;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the server knows about one open xDS stream:
 *
 * <ul>
 *   <li>the node, remembered from the first request, so proxies that send it only once ({@code
 *       set_node_on_first_message_only}) still belong to their fleet;
 *   <li>the response behind each nonce sent, so an ACK tells which version a proxy holds and a NACK
 *       which version it rejected — the cache is then told never to send a rejected version again;
 *   <li>of a named type over state of the world, the names its last request listed and the sequence
 *       number of the fleet's resources as of which it holds all of them;
 *   <li>of each type over delta, what the client holds and subscribes to ({@link DeltaState});
 *   <li>its rejections ({@link Rejections});
 *   <li>per type, the version it acknowledged, the version last sent, and the last change of the
 *       fleet's resources it is known to hold, for the convergence time ({@link XdsMetrics}), and
 *       the change as of which it holds everything it asks for ({@link ProxyStatus#upToDateAsOf}).
 * </ul>
 *
 * <p>What the cache needs of it goes out as a {@link SotwSubscription} or {@link
 * DeltaSubscription}; what the cache finds comes back as {@link Answer}s, applied here ({@link
 * #sent}, {@link #noted}).
 *
 * <p>Thread-safe: every method holds this object's monitor, which also guards the {@link
 * DeltaState}s and {@link Rejections} it owns. No method calls out while holding it.
 */
final class StreamState {

  private final long id;
  private Node node;
  private boolean delta;
  private final Set<ResourceType> requested = EnumSet.noneOf(ResourceType.class);

  /** Per type, the latest state-of-the-world response sent. */
  private final Map<ResourceType, Sent> sotwSent = new EnumMap<>(ResourceType.class);

  /** Per named type, what the stream's state-of-the-world requests ask for and hold. */
  private final Map<ResourceType, NamedSubscription> named = new EnumMap<>(ResourceType.class);

  private final Map<ResourceType, DeltaState> deltaStates = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, String> acked = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, String> lastSent = new EnumMap<>(ResourceType.class);

  /** Per type, the last change of the fleet's resources this stream is known to hold. */
  private final Map<ResourceType, Long> heldChange = new EnumMap<>(ResourceType.class);

  /**
   * Per type, the change of the fleet's resources as of which the cache found the stream holding
   * everything it asks for, with no response outstanding; absent from when a response goes out
   * until a watch made after its answer finds that again.
   */
  private final Map<ResourceType, Long> upToDateAsOf = new EnumMap<>(ResourceType.class);

  private final Rejections rejections;

  /**
   * @param clock stamps rejections
   */
  StreamState(long id, Clock clock) {
    this.id = id;
    this.rejections = new Rejections(clock);
  }

  /**
   * A state-of-the-world request of a type Fairlead serves, as the stream took it. {@code names}:
   * those it lists (for a named type, the set shared with every stream asking for the same); {@code
   * addedNames}: of a named type, those its previous request of the type did not list; {@code
   * firstOfType}: there was none; {@code rejectedVersion}: the version it rejects if it is a NACK
   * of the latest response; {@code rejectionsChanged}: the stream's standing rejections changed;
   * {@code convergedNanos}: the convergence time its ACK gave, -1 if none.
   */
  record SotwRequest(
      ResourceType type,
      Set<String> names,
      Set<String> addedNames,
      boolean firstOfType,
      String version,
      Optional<String> rejectedVersion,
      boolean rejectionsChanged,
      long convergedNanos) {}

  /**
   * A delta request of a type Fairlead serves, as the stream took it: whether the stream's standing
   * rejections changed, and the convergence time its ACK gave (-1 if none).
   */
  record DeltaRequest(ResourceType type, boolean rejectionsChanged, long convergedNanos) {}

  /**
   * Takes a state-of-the-world request: its node, its names, and the ACK or NACK it carries. Empty
   * for a type Fairlead does not serve.
   */
  synchronized Optional<SotwRequest> request(
      DiscoveryRequest request, ResourceSets sets, long nowNanos) {
    Optional<ResourceType> known =
        asked(request.hasNode() ? request.getNode() : null, request.getTypeUrl());
    if (known.isEmpty()) {
      return Optional.empty();
    }
    ResourceType type = known.get();
    Set<String> names;
    Set<String> added = Set.of();
    boolean firstOfType = false;
    List<String> listed = request.getResourceNamesList();
    if (type.wildcard()) {
      names = Set.copyOf(listed);
    } else {
      // Envoy names the same resources in every request (each ACK): build a set only when they
      // differ, and keep
      // it shared with every stream asking for the same.
      NamedSubscription subscription = named.get(type);
      firstOfType = subscription == null;
      Set<String> before = firstOfType ? null : subscription.names;
      if (!firstOfType && listed.size() == before.size() && before.containsAll(listed)) {
        names = before;
      } else {
        names = sets.of(listed);
        named.computeIfAbsent(type, t -> new NamedSubscription()).names = names;
        if (before != null && !before.equals(names)) {
          added = new HashSet<>(names);
          added.removeAll(before);
        }
      }
    }
    Optional<String> rejectedVersion = Optional.empty();
    boolean changed = false;
    long converged = -1;
    Sent sent = sotwSent.get(type);
    if (sent != null && sent.nonce().equals(request.getResponseNonce())) {
      Response response = sent.response();
      if (request.hasErrorDetail()) {
        rejectedVersion = Optional.of(response.version());
        changed =
            rejections.reject(
                proxy(),
                type,
                response.version(),
                sent.names(),
                request.getErrorDetail().getMessage());
      } else {
        acked.put(type, response.version());
        converged = acknowledged(type, response, nowNanos);
        // A named type's response carries only what changed: accepting one clears a rejection only
        // if it carried every resource rejected.
        Optional<Nack> standing = rejections.standing(type);
        if (type.wildcard()
            || standing.isEmpty()
            || sent.names().containsAll(standing.get().resourceNames())) {
          changed = rejections.clear(proxy(), type, "accepted version " + response.version());
        }
      }
    }
    return Optional.of(
        new SotwRequest(
            type,
            names,
            added,
            firstOfType,
            request.getVersionInfo(),
            rejectedVersion,
            changed,
            converged));
  }

  /**
   * Takes a delta request: its node, its subscription changes, and the ACK or NACK it carries.
   * Empty for a type Fairlead does not serve.
   */
  synchronized Optional<DeltaRequest> request(
      DeltaDiscoveryRequest request, ResourceSets sets, long nowNanos) {
    delta = true;
    Optional<ResourceType> known =
        asked(request.hasNode() ? request.getNode() : null, request.getTypeUrl());
    if (known.isEmpty()) {
      return Optional.empty();
    }
    ResourceType type = known.get();
    DeltaState state = deltaState(type);
    boolean changed =
        state.subscriptionChanged(type, request, sets)
            && rejections.clear(proxy(), type, "unsubscribed from the resources it rejected");
    long converged = -1;
    Optional<Response> answered = state.answered(request.getResponseNonce());
    if (answered.isPresent()) {
      Response response = answered.get();
      if (request.hasErrorDetail()) {
        List<String> names = state.rejected(response);
        changed |=
            rejections.reject(
                proxy(), type, response.version(), names, request.getErrorDetail().getMessage());
      } else {
        boolean acceptedAll = state.accepted(response, sets);
        acked.put(type, response.version());
        converged = acknowledged(type, response, nowNanos);
        changed |=
            acceptedAll && rejections.clear(proxy(), type, "accepted every resource it rejected");
      }
    }
    return Optional.of(new DeltaRequest(type, changed, converged));
  }

  /**
   * What the cache needs to answer {@code request}, as the stream stands now. {@code
   * clusterChanged}: a cluster response went out since the last endpoint response.
   */
  synchronized SotwSubscription subscription(SotwRequest request, boolean clusterChanged) {
    ResourceType type = request.type();
    NamedSubscription subscription = named.get(type);
    return new SotwSubscription(
        proxy(),
        type,
        request.names(),
        request.addedNames(),
        request.firstOfType(),
        request.version(),
        request.rejectedVersion(),
        rejections.standing(type).map(Nack::resourceNames),
        clusterChanged && type == ResourceType.ENDPOINT,
        subscription == null ? -1 : subscription.heldAsOf,
        heldChange.getOrDefault(type, -1L));
  }

  /**
   * What the cache needs to answer the delta stream's subscription to {@code type}, as it stands
   * now.
   */
  synchronized DeltaSubscription subscription(ResourceType type) {
    return deltaState(type).subscription(proxy(), type, heldChange.getOrDefault(type, -1L));
  }

  /**
   * The cache watches the type for this stream from change {@code firstChange} of the fleet's
   * resources: the stream's progress on the type is followed from there, if it was not already (-1:
   * not followed).
   */
  synchronized void watching(ResourceType type, long firstChange) {
    if (firstChange >= 0) {
      heldChange.putIfAbsent(type, firstChange);
    }
  }

  /** {@code response} went out with {@code nonce}: the next request with that nonce answers it. */
  synchronized void sent(String nonce, Response response) {
    ResourceType type = response.type();
    if (delta) {
      deltaState(type).sent(nonce, response);
    } else {
      sotwSent.put(type, new Sent(nonce, response));
      holdsNamedAsOf(type, response.sequence());
    }
    lastSent.put(type, response.version());
    upToDateAsOf.remove(type);
  }

  /**
   * Applies what the cache noted while a watch waits; returns whether the standing rejections
   * changed.
   */
  synchronized boolean noted(Answer note) {
    ResourceType type = note.type();
    if (note instanceof Holds holds) {
      if (delta) {
        deltaState(type).holds(holds.sequence(), holds.rechecked());
      } else {
        holdsNamedAsOf(type, holds.sequence());
      }
      boolean changed =
          switch (holds.standing()) {
            case CURRENT_VERSION ->
                rejections.clear(proxy(), type, "holds the current version again");
            case UP_TO_DATE, WITHHELD -> false;
          };
      if (holds.standing() != Answer.Standing.WITHHELD) {
        upToDate(type, holds.change());
        upToDateAsOf.merge(type, holds.change(), Math::max);
      }
      return changed;
    }
    if (note instanceof RejectedGone gone) {
      String why = "no longer has the resources it rejected";
      if (delta) {
        return deltaState(type).forget(gone.names()) && rejections.clear(proxy(), type, why);
      }
      Optional<Nack> standing = rejections.standing(type);
      return standing.isPresent()
          && gone.names().containsAll(standing.get().resourceNames())
          && rejections.clear(proxy(), type, why);
    }
    throw new IllegalArgumentException("Not a note: " + note);
  }

  /**
   * Whether this stream speaks {@code delta} (or state of the world) and has asked for {@code
   * type}.
   */
  synchronized boolean asks(ResourceType type, boolean delta) {
    return this.delta == delta && requested.contains(type);
  }

  /** Whether any rejection of this stream stands. */
  synchronized boolean rejecting() {
    return rejections.any();
  }

  /** The stream as the admin endpoints show it; empty until it has identified itself. */
  synchronized Optional<ProxyStatus> status() {
    if (node == null) {
      return Optional.empty();
    }
    return Optional.of(
        new ProxyStatus(
            id,
            nodeId(),
            fleet(),
            delta,
            Audience.of(node),
            acked,
            lastSent,
            rejections.standing(),
            rejections.last(),
            upToDateAsOf));
  }

  /**
   * Holds everything of a type as of {@code change}: no convergence is pending, nothing sent is
   * outstanding.
   */
  private void upToDate(ResourceType type, long change) {
    heldChange.merge(type, change, Math::max);
    String version = acked.get(type);
    if (version != null && rejections.standing(type).isEmpty()) {
      lastSent.put(type, version);
    }
  }

  /**
   * The proxy accepted {@code response}: returns how long since the first change it carried was
   * observed, or -1 if it carried none new.
   */
  private long acknowledged(ResourceType type, Response response, long nowNanos) {
    Long before = heldChange.get(type);
    if (before != null && response.change() <= before) {
      return -1;
    }
    heldChange.put(type, response.change());
    return response.firstObservedNanos() < 0
        ? -1
        : Math.max(0, nowNanos - response.firstObservedNanos());
  }

  /**
   * Holds, of a named type over state of the world, every resource it asks for as of sequence
   * number {@code sequence} of the fleet's resources.
   */
  private void holdsNamedAsOf(ResourceType type, long sequence) {
    NamedSubscription subscription = named.get(type);
    if (subscription != null) {
      subscription.heldAsOf = Math.max(subscription.heldAsOf, sequence);
    }
  }

  /**
   * Remembers the first node a request carries; returns the type asked for, if Fairlead serves it.
   */
  private Optional<ResourceType> asked(Node fromRequest, String typeUrl) {
    if (node == null && fromRequest != null) {
      node = fromRequest;
    }
    Optional<ResourceType> type = ResourceType.ofTypeUrl(typeUrl);
    type.ifPresent(requested::add);
    return type;
  }

  private String nodeId() {
    return node == null ? "" : node.getId();
  }

  private String fleet() {
    return node == null ? "" : node.getCluster();
  }

  private Proxy proxy() {
    return new Proxy(nodeId(), fleet(), Audience.of(node));
  }

  private DeltaState deltaState(ResourceType type) {
    return deltaStates.computeIfAbsent(type, t -> new DeltaState());
  }

  /** A state-of-the-world response that went out, with its nonce. */
  private record Sent(String nonce, Response response) {
    /** The names of the resources it carried, sorted. */
    List<String> names() {
      return response.resources().stream().map(EncodedResource::name).sorted().toList();
    }
  }

  /**
   * A named type (EDS, RDS) on a state-of-the-world stream: the names its last request listed (a
   * set shared with every stream asking for the same, {@link ResourceSets}) and the sequence number
   * of the fleet's resources as of which it holds all of them.
   */
  private static final class NamedSubscription {
    private Set<String> names = Set.of();
    private long heldAsOf = -1;
  }
}
