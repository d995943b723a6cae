package dev.fairlead.xds.cache;

import com.google.protobuf.Message;
import dev.fairlead.xds.cache.StreamRegistry.DeltaContext;
import dev.fairlead.xds.cache.StreamRegistry.DeltaState;
import dev.fairlead.xds.cache.StreamRegistry.SotwContext;
import io.envoyproxy.controlplane.cache.ConfigWatcher;
import io.envoyproxy.controlplane.cache.DeltaResponse;
import io.envoyproxy.controlplane.cache.DeltaWatch;
import io.envoyproxy.controlplane.cache.DeltaXdsRequest;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fairlead's xDS cache, behind its ADS service (java-control-plane's watch interface, {@link ConfigWatcher}). It
 * holds, per fleet (a proxy's {@code node.cluster}), the Envoy resources of each type, each encoded once
 * ({@link EncodedResource}) and shared by every stream, and answers watches so that:
 *
 * <ul>
 *   <li>versions are content hashes: replicas and restarts agree, and a delta client that reconnects with
 *       {@code initial_resource_versions} gets only what changed plus the names of what no longer exists;</li>
 *   <li>a rejected version is never sent again to the proxy that rejected it — the next response waits for
 *       different content (no NACK loop); going back to the version it last accepted is sent again, since the
 *       proxy may have applied part of what it rejected;</li>
 *   <li>a request naming resources that do not exist yet is answered with those that do; the others follow
 *       when they appear;</li>
 *   <li>an update touches only the changed types' open watches, and the set version of a type is maintained
 *       in O(1) per changed resource.</li>
 * </ul>
 *
 * <p>Thread-safe. Each fleet has a lock guarding its resources and its open watches; responses are computed
 * under it and sent after it is released. Producers may call {@link #setFleet} from any thread.
 */
public final class XdsCache implements ConfigWatcher {

  private static final Logger LOG = LoggerFactory.getLogger(XdsCache.class);

  private final StreamRegistry streams;
  private final Map<String, Fleet> fleets = new ConcurrentHashMap<>();
  private final Set<String> warnedFleets = ConcurrentHashMap.newKeySet();

  public XdsCache(StreamRegistry streams) {
    this.streams = streams;
  }

  /**
   * Makes {@code resources} the whole configuration of {@code fleet}: resources not listed are removed, changed
   * ones replaced. Watches of the types that changed are answered.
   */
  public void setFleet(String fleet, Map<ResourceType, ? extends Collection<? extends Message>> resources) {
    setFleet(fleet, resources, System.nanoTime());
  }

  /**
   * As {@link #setFleet(String, Map)}, for a change first observed at {@code observedNanos} ({@link System#nanoTime()}):
   * proxies' convergence times are measured from then.
   */
  public void setFleet(String fleet, Map<ResourceType, ? extends Collection<? extends Message>> resources,
      long observedNanos) {
    Fleet target = fleet(fleet);
    Map<ResourceType, Map<String, EncodedResource>> previous = new EnumMap<>(ResourceType.class);
    target.lock.lock();
    try {
      for (ResourceType type : ResourceType.values()) {
        previous.put(type, target.resources.get(type).copy());
      }
    } finally {
      target.lock.unlock();
    }
    // Encoding happens outside the lock; a message equal to the one already held keeps its encoding.
    Map<ResourceType, List<EncodedResource>> encoded = new EnumMap<>(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      Collection<? extends Message> messages = resources.containsKey(type) ? resources.get(type) : List.of();
      Map<String, EncodedResource> held = previous.get(type);
      List<EncodedResource> list = new ArrayList<>(messages.size());
      for (Message message : messages) {
        EncodedResource before = held.get(io.envoyproxy.controlplane.cache.Resources.getResourceName(message));
        list.add(before == null ? EncodedResource.encode(type, message) : before.reuseOrEncode(type, message));
      }
      encoded.put(type, list);
    }
    List<Runnable> responses = new ArrayList<>();
    target.lock.lock();
    try {
      boolean firstTime = !target.known;
      target.known = true;
      for (ResourceType type : ResourceType.values()) {
        TypeResources current = target.resources.get(type);
        boolean changed = false;
        Set<String> keep = new HashSet<>();
        for (EncodedResource resource : encoded.get(type)) {
          keep.add(resource.name());
          changed |= current.put(resource);
        }
        for (String name : List.copyOf(current.names())) {
          if (!keep.contains(name)) {
            changed |= current.remove(name);
          }
        }
        if (changed || firstTime) {
          target.changes.get(type).record(observedNanos);
          answerWatches(target, type, responses);
        }
      }
    } finally {
      target.lock.unlock();
    }
    responses.forEach(Runnable::run);
  }

  /** Removes every fleet not in {@code keep}; their proxies are told their resources are gone. */
  public void retainFleets(Set<String> keep) {
    for (String name : List.copyOf(fleets.keySet())) {
      if (!keep.contains(name) && fleets.get(name).known) {
        setFleet(name, Map.of());
      }
    }
  }

  /** The version of a fleet's resources of one type, if the fleet has been set. */
  public Optional<String> version(String fleet, ResourceType type) {
    return read(fleet, f -> f.known ? Optional.of(f.resources.get(type).version()) : Optional.empty());
  }

  /**
   * What a fleet holds of one type, as {@code audience} is sent it: the version of the whole set and the resources,
   * sorted by name; empty if the fleet has no configuration.
   */
  public Optional<TypeSnapshot> snapshot(String fleet, ResourceType type, Audience audience) {
    return read(fleet, f -> {
      TypeResources resources = f.resources.get(type);
      return f.known ? Optional.of(new TypeSnapshot(resources.version(audience), resources.all(audience)))
          : Optional.empty();
    });
  }

  /** The resources of one type a fleet holds for one audience, and their version. */
  public record TypeSnapshot(String version, List<EncodedResource> resources) {
    public TypeSnapshot {
      resources = List.copyOf(resources);
    }
  }

  /** The current version of one resource, if it exists. */
  public Optional<String> resourceVersion(String fleet, ResourceType type, String name) {
    return read(fleet, f -> f.resources.get(type).get(name).map(EncodedResource::version));
  }

  /** What {@code reader} finds in a fleet, read under its lock; empty for a fleet never seen. */
  private <T> Optional<T> read(String fleet, java.util.function.Function<Fleet, Optional<T>> reader) {
    Fleet f = fleets.get(fleet);
    if (f == null) {
      return Optional.empty();
    }
    f.lock.lock();
    try {
      return reader.apply(f);
    } finally {
      f.lock.unlock();
    }
  }

  @Override
  public Watch createWatch(boolean ads, XdsRequest request, Set<String> knownResourceNames,
      Consumer<Response> responseConsumer, boolean hasClusterChanged, boolean allowDefaultEmptyEdsUpdate) {
    Optional<ResourceType> type = ResourceType.ofTypeUrl(request.getTypeUrl());
    if (type.isEmpty()) {
      return new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer); // never answered
    }
    Optional<SotwContext> context = streams.takeSotw(request.v3Request());
    // An open watch lives until the next change: it keeps a copy of the request without its resource names (the
    // stream registry keeps those, interned), not the thousands of names an endpoint request carries.
    XdsRequest kept = context.isPresent() && request.v3Request().getResourceNamesCount() > 0
        ? XdsRequest.create(request.v3Request().toBuilder().clearResourceNames().build()) : request;
    context = context.map(c -> c.withRequest(kept.v3Request()));
    Watch watch = new Watch(ads, allowDefaultEmptyEdsUpdate, kept, responseConsumer);
    String fleetName = context.map(SotwContext::fleet).orElse(request.v3Request().getNode().getCluster());
    Set<String> names = context.isPresent() && !type.get().wildcard() ? context.get().names()
        : Set.copyOf(request.getResourceNamesList());
    // For named types (EDS, RDS) no names means no subscription (Envoy's request once no listener or cluster needs
    // any): answering it with everything would be ignored and asked again, in a loop.
    boolean wildcard = names.contains("*") || names.isEmpty() && type.get().wildcard();
    Audience audience = context.map(SotwContext::audience).orElse(Audience.of(request.v3Request().getNode()));
    SotwPending pending = new SotwPending(watch, context, type.get(), wildcard, names, audience, request.getVersionInfo(),
        context.flatMap(SotwContext::rejectedVersion),
        hasClusterChanged && type.get() == ResourceType.ENDPOINT);
    register(fleetName, context.map(SotwContext::nodeId).orElse(request.v3Request().getNode().getId()), pending);
    return watch;
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    // The stream registry keeps what the client holds and subscribes to (DeltaState); the watch needs no copy of
    // java-control-plane's own maps, which hold an entry per resource, nor of the names the request carries: an open
    // watch keeps the request without them.
    Optional<DeltaContext> context = streams.takeDelta(request.v3Request());
    DeltaDiscoveryRequest full = request.v3Request();
    DeltaXdsRequest kept = full.getResourceNamesSubscribeCount() + full.getResourceNamesUnsubscribeCount()
        + full.getInitialResourceVersionsCount() == 0 ? request
        : DeltaXdsRequest.create(full.toBuilder().clearResourceNamesSubscribe().clearResourceNamesUnsubscribe()
            .clearInitialResourceVersions().build());
    DeltaWatch watch = new DeltaWatch(kept, Map.of(), Set.of(), requesterVersion, isWildcard, responseConsumer);
    if (context.isEmpty()) {
      return watch; // a type Fairlead does not serve: never answered
    }
    DeltaContext watched = context.get().withRequest(kept.v3Request());
    register(watched.fleet(), watched.nodeId(), new DeltaPending(watch, watched, watched.type(), isWildcard));
    return watch;
  }

  private void register(String fleetName, String nodeId, PendingWatch pending) {
    if (fleetName.isEmpty()) {
      if (warnedFleets.add("")) {
        LOG.warn("Proxy {} sent no node.cluster: it names no fleet and cannot be served", nodeId);
      }
      return;
    }
    Fleet fleet = fleet(fleetName);
    Optional<Runnable> response;
    fleet.lock.lock();
    try {
      if (!fleet.known && warnedFleets.add(fleetName)) {
        LOG.info("Proxy {} asks for fleet {}, which has no configuration yet; it waits until one exists",
            nodeId, fleetName);
      }
      response = answer(fleet, pending);
      if (response.isEmpty()) {
        fleet.watches.get(pending.type()).add(pending);
        pending.watch().setStop(() -> {
          fleet.lock.lock();
          try {
            fleet.watches.get(pending.type()).remove(pending);
          } finally {
            fleet.lock.unlock();
          }
        });
      }
    } finally {
      fleet.lock.unlock();
    }
    response.ifPresent(Runnable::run);
  }

  /** Under the fleet's lock: answers what can be answered among the type's open watches. */
  private void answerWatches(Fleet fleet, ResourceType type, List<Runnable> responses) {
    var open = fleet.watches.get(type).iterator();
    while (open.hasNext()) {
      PendingWatch pending = open.next();
      if (pending.watch().isCancelled()) {
        open.remove();
        continue;
      }
      Optional<Runnable> response = answer(fleet, pending);
      if (response.isPresent()) {
        open.remove();
        responses.add(response.get());
      }
    }
  }

  /** Under the fleet's lock: the response to send now, or empty to keep waiting. */
  private Optional<Runnable> answer(Fleet fleet, PendingWatch pending) {
    ChangeLog changes = fleet.changes.get(pending.type());
    pending.stream().ifPresent(stream -> streams.subscribed(stream, pending.type(), changes));
    if (!fleet.known) {
      return Optional.empty();
    }
    TypeResources resources = fleet.resources.get(pending.type());
    if (pending instanceof SotwPending sotw) {
      return answerSotw(resources, changes, sotw);
    }
    return answerDelta(resources, changes, (DeltaPending) pending);
  }

  private Optional<Runnable> answerSotw(TypeResources resources, ChangeLog changes, SotwPending pending) {
    if (!pending.wildcard() && pending.context().isPresent()) {
      return answerNamed(resources, changes, pending, pending.context().get());
    }
    List<EncodedResource> chosen;
    String version;
    if (pending.wildcard()) {
      chosen = resources.all(pending.audience());
      version = resources.version(pending.audience());
    } else {
      // No stream context (a request the registry did not see): everything named, as of the set's version.
      chosen = resources.subset(pending.names());
      version = resources.version();
      if (chosen.isEmpty()) {
        return Optional.empty();
      }
    }
    // After a NACK the proxy's version_info names the last version it accepted, but Envoy may have applied part of
    // the rejected response (a state-of-the-world LDS update removes the listeners it no longer lists even when
    // adding another fails): going back to that version must be sent again, not taken as already held.
    if (version.equals(pending.requestVersion()) && pending.rejectedVersion().isEmpty()) {
      pending.context().ifPresent(c -> streams.holdsCurrent(c.stream(), pending.type(), changes.latest()));
      return Optional.empty();
    }
    if (pending.rejectedVersion().filter(version::equals).isPresent()) {
      return Optional.empty();
    }
    pending.context().ifPresent(c -> streams.answering(c.stream(), pending.type(), c.request(), changes, () -> { }));
    Response response = Response.create(pending.watch().request(),
        chosen.stream().map(EncodedResource::any).toList(), version);
    return Optional.of(() -> respond(pending.watch(), response));
  }

  /**
   * State of the world for a named type (EDS, RDS): like delta, only what changed. The protocol lets a response
   * for these types carry a subset — a resource not in it is not removed — so a stream that holds everything it
   * asks for as of sequence number {@code n} is sent only the resources it asks for that changed since, and those
   * it did not ask for before. Everything it asks for is sent when it first asks on this stream, when clusters
   * changed (Envoy's warming clusters wait for their endpoints again), and when it is further behind than the
   * resources remember. A rejected response counts as held: its resources are sent again when they change, and
   * the rejection stands until then. {@code version_info} is the version of the fleet's whole set of the type, so
   * every proxy holding the current configuration reports the same version.
   */
  private Optional<Runnable> answerNamed(TypeResources resources, ChangeLog changes, SotwPending pending,
      SotwContext context) {
    long sequence = resources.sequence();
    String version = resources.version();
    List<EncodedResource> send;
    synchronized (context.stream()) {
      long held = context.stream().namedHeldAsOf(pending.type());
      boolean everything = context.firstOfType() || pending.resendEndpoints() || held < 0 || held < resources.floor();
      if (everything) {
        send = resources.subset(pending.names()); // shared by every stream asking for the same names
      } else {
        send = new ArrayList<>();
        Set<String> chosen = new TreeSet<>(context.addedNames());
        for (String name : resources.changedSince(held)) {
          if (pending.names().contains(name)) {
            chosen.add(name);
          }
        }
        for (String name : chosen) {
          resources.get(name).ifPresent(send::add);
        }
      }
      if (send.isEmpty()) {
        context.stream().holdsNamedAsOf(pending.type(), sequence);
      }
    }
    streams.dropRejectionIfGone(context.stream(), pending.type(),
        name -> pending.names().contains(name) && resources.get(name).isPresent());
    if (send.isEmpty()) {
      if (version.equals(pending.requestVersion())) {
        streams.holdsCurrent(context.stream(), pending.type(), changes.latest());
      } else {
        streams.upToDate(context.stream(), pending.type(), changes.latest());
      }
      return Optional.empty();
    }
    streams.answering(context.stream(), pending.type(), context.request(), changes,
        () -> context.stream().holdsNamedAsOf(pending.type(), sequence));
    Response response = Response.create(pending.watch().request(),
        send.stream().map(EncodedResource::any).toList(), version);
    return Optional.of(() -> respond(pending.watch(), response));
  }

  /**
   * Delta: the resources the client should hold and does not, and the names of those it holds that are gone. Only
   * the resources changed since the stream last looked ({@link TypeResources#changedSince}) and names it
   * (re-)subscribed to since are looked at; everything on its first answer, or when it is further behind than the
   * resources remember.
   */
  private Optional<Runnable> answerDelta(TypeResources resources, ChangeLog changes, DeltaPending pending) {
    DeltaContext context = pending.context();
    long sequence = resources.sequence();
    List<EncodedResource> send = new ArrayList<>();
    boolean inNameOrder = false;
    List<String> removed = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    List<String> rechecked;
    boolean withheld = false;
    boolean owesFirst;
    DeltaState state;
    synchronized (context.stream()) {
      state = context.stream().deltaState(pending.type());
      owesFirst = state.owesFirstResponse();
      // Before the first answer, what a reconnecting client said it holds; after it, a resource changed since the
      // stream last looked is one the client does not hold.
      Map<String, String> initial = state.initialVersions();
      Set<String> held = state.held();
      Map<String, String> rejected = state.rejected();
      for (String name : rejected.keySet()) {
        if (resources.get(name).isEmpty()) {
          gone.add(name);
        }
      }
      rechecked = List.copyOf(state.recheck());
      boolean everything = state.synced() < 0 || state.synced() < resources.floor();
      Collection<String> candidates;
      if (everything && pending.wildcard()) {
        // Everything, in name order (the sorted list is kept per change), then whatever it holds that is gone.
        List<String> all = new ArrayList<>(resources.all(context.audience()).stream().map(EncodedResource::name)
            .toList());
        for (String name : held) {
          if (resources.get(name).filter(r -> TypeResources.visibleTo(r, context.audience())).isEmpty()) {
            all.add(name);
          }
        }
        candidates = all;
        inNameOrder = true;
      } else if (everything) {
        Set<String> all = new java.util.HashSet<>(state.subscribed());
        all.addAll(held);
        candidates = all;
      } else if (rechecked.isEmpty()) {
        candidates = resources.changedSince(state.synced());
      } else {
        Set<String> some = new java.util.HashSet<>(resources.changedSince(state.synced()));
        some.addAll(rechecked);
        candidates = some;
      }
      for (String name : candidates) {
        boolean wanted = pending.wildcard() || state.subscribed().contains(name);
        if (!wanted) {
          continue;
        }
        Optional<EncodedResource> resource = resources.get(name)
            .filter(r -> !pending.wildcard() || TypeResources.visibleTo(r, context.audience()));
        if (resource.isPresent()) {
          String version = resource.get().version();
          boolean wasRejected = version.equals(rejected.get(name));
          withheld |= wasRejected;
          if (!version.equals(initial.get(name)) && !wasRejected) {
            send.add(resource.get());
          }
        } else if (held.contains(name)) {
          removed.add(name);
        }
      }
      if (send.isEmpty() && removed.isEmpty() && !(owesFirst && pending.wildcard())) {
        state.syncedUpTo(sequence, rechecked);
      }
    }
    if (!gone.isEmpty()) {
      streams.rejectedResourcesGone(context.stream(), pending.type(), gone);
    }
    if (send.isEmpty() && removed.isEmpty() && !(owesFirst && pending.wildcard())) {
      if (!withheld) {
        streams.upToDate(context.stream(), pending.type(), changes.latest());
      }
      return Optional.empty();
    }
    removed.sort(null);
    if (!inNameOrder) {
      send.sort(java.util.Comparator.comparing(EncodedResource::name));
    }
    synchronized (context.stream()) {
      state.markAnswered();
    }
    streams.answering(context.stream(), pending.type(), context.request(), changes,
        () -> state.syncedUpTo(sequence, rechecked));
    DeltaResponse response = new EncodedDeltaResponse(pending.watch().request(),
        send.stream().map(EncodedResource::deltaResource).toList(), removed, resources.version());
    return Optional.of(() -> respond(pending.watch(), response));
  }

  private static <T> void respond(io.envoyproxy.controlplane.cache.AbstractWatch<?, T> watch, T response) {
    try {
      watch.respond(response);
    } catch (WatchCancelledException e) {
      // the stream moved on (or closed) meanwhile; its next request creates a new watch
    }
  }

  private Fleet fleet(String name) {
    return fleets.computeIfAbsent(name, Fleet::new);
  }

  private sealed interface PendingWatch permits SotwPending, DeltaPending {
    io.envoyproxy.controlplane.cache.AbstractWatch<?, ?> watch();

    ResourceType type();

    /** The stream the watch belongs to, when the registry knows it. */
    Optional<StreamRegistry.StreamState> stream();
  }

  private record SotwPending(Watch watch, Optional<SotwContext> context, ResourceType type, boolean wildcard,
      Set<String> names, Audience audience,
      String requestVersion, Optional<String> rejectedVersion, boolean resendEndpoints)
      implements PendingWatch {
    @Override
    public Optional<StreamRegistry.StreamState> stream() {
      return context.map(SotwContext::stream);
    }
  }

  private record DeltaPending(DeltaWatch watch, DeltaContext context, ResourceType type, boolean wildcard)
      implements PendingWatch {
    @Override
    public Optional<StreamRegistry.StreamState> stream() {
      return Optional.of(context.stream());
    }
  }

  /** One fleet's resources and open watches, guarded by {@link #lock}. */
  private static final class Fleet {
    final String name;
    final ReentrantLock lock = new ReentrantLock();
    boolean known;
    final Map<ResourceType, TypeResources> resources = new EnumMap<>(ResourceType.class);
    final Map<ResourceType, Set<PendingWatch>> watches = new EnumMap<>(ResourceType.class);
    final Map<ResourceType, ChangeLog> changes = new EnumMap<>(ResourceType.class);

    Fleet(String name) {
      this.name = name;
      for (ResourceType type : ResourceType.values()) {
        resources.put(type, new TypeResources());
        watches.put(type, new LinkedHashSet<>());
        changes.put(type, new ChangeLog());
      }
    }
  }
}
