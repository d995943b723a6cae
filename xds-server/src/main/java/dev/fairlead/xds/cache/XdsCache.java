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
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.Watch;
import io.envoyproxy.controlplane.cache.WatchCancelledException;
import io.envoyproxy.controlplane.cache.XdsRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
 * Fairlead's xDS cache, behind java-control-plane's protocol handling ({@code V3DiscoveryServer}). It holds, per
 * fleet (a proxy's {@code node.cluster}), the Envoy resources of each type, each encoded once
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
    Watch watch = new Watch(ads, allowDefaultEmptyEdsUpdate, request, responseConsumer);
    Optional<ResourceType> type = ResourceType.ofTypeUrl(request.getTypeUrl());
    if (type.isEmpty()) {
      return watch; // a type Fairlead does not serve (e.g. secrets): never answered
    }
    Optional<SotwContext> context = streams.takeSotw(request.v3Request());
    String fleetName = context.map(SotwContext::fleet).orElse(request.v3Request().getNode().getCluster());
    Set<String> names = new TreeSet<>(request.getResourceNamesList());
    // For named types (EDS, RDS) no names means no subscription (Envoy's request once no listener or cluster needs
    // any): answering it with everything would be ignored and asked again, in a loop.
    boolean wildcard = names.contains("*") || names.isEmpty() && type.get().wildcard();
    Audience audience = context.map(SotwContext::audience).orElse(Audience.of(request.v3Request().getNode()));
    SotwPending pending = new SotwPending(watch, context, type.get(), wildcard, names, audience, request.getVersionInfo(),
        context.flatMap(SotwContext::rejectedVersion),
        hasClusterChanged && type.get() == ResourceType.ENDPOINT, context.map(SotwContext::namesAdded).orElse(false));
    register(fleetName, context.map(SotwContext::nodeId).orElse(request.v3Request().getNode().getId()), pending);
    return watch;
  }

  @Override
  public DeltaWatch createDeltaWatch(DeltaXdsRequest request, String requesterVersion,
      Map<String, String> resourceVersions, Set<String> pendingResources, boolean isWildcard,
      Consumer<DeltaResponse> responseConsumer, boolean hasClusterChanged) {
    DeltaWatch watch = new DeltaWatch(request, Map.copyOf(resourceVersions), Set.copyOf(pendingResources),
        requesterVersion, isWildcard, responseConsumer);
    Optional<DeltaContext> context = streams.takeDelta(request.v3Request());
    if (context.isEmpty()) {
      return watch; // a type Fairlead does not serve: never answered
    }
    Set<String> subscribed = new TreeSet<>(pendingResources);
    subscribed.addAll(resourceVersions.keySet());
    synchronized (context.get().stream()) {
      subscribed.addAll(context.get().stream().deltaState(context.get().type()).clientVersions().keySet());
    }
    subscribed.remove("*");
    register(context.get().fleet(), context.get().nodeId(),
        new DeltaPending(watch, context.get(), context.get().type(), isWildcard, subscribed));
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
    List<EncodedResource> chosen;
    String version;
    if (pending.wildcard()) {
      chosen = resources.all(pending.audience());
      version = resources.version(pending.audience());
    } else {
      TypeResources.Subset subset = resources.subset(pending.names());
      if (subset.resources().isEmpty()) {
        pending.context().ifPresent(c -> streams.upToDate(c.stream(), pending.type(), changes.latest()));
        return Optional.empty();
      }
      chosen = subset.resources();
      version = subset.version();
    }
    // After a NACK the proxy's version_info names the last version it accepted, but Envoy may have applied part of
    // the rejected response (a state-of-the-world LDS update removes the listeners it no longer lists even when
    // adding another fails): going back to that version must be sent again, not taken as already held.
    // Likewise a request naming a resource its previous one did not: the proxy may have dropped it meanwhile.
    if (version.equals(pending.requestVersion()) && !pending.resendEndpoints()
        && pending.rejectedVersion().isEmpty() && !pending.namesAdded()) {
      pending.context().ifPresent(c -> streams.holdsCurrent(c.stream(), pending.type(), changes.latest()));
      return Optional.empty();
    }
    if (pending.rejectedVersion().filter(version::equals).isPresent()) {
      return Optional.empty();
    }
    pending.context().ifPresent(c -> streams.answering(c.stream(), pending.type(), c.request(), changes));
    Response response = Response.create(pending.watch().request(),
        chosen.stream().map(EncodedResource::any).toList(), version);
    return Optional.of(() -> respond(pending.watch(), response));
  }

  private Optional<Runnable> answerDelta(TypeResources resources, ChangeLog changes, DeltaPending pending) {
    DeltaContext context = pending.context();
    Map<String, String> client;
    Map<String, String> rejected;
    boolean owesFirst;
    DeltaState state;
    synchronized (context.stream()) {
      state = context.stream().deltaState(pending.type());
      client = state.clientVersions();
      rejected = state.rejected();
      owesFirst = state.owesFirstResponse();
    }
    List<String> gone = rejected.keySet().stream().filter(name -> resources.get(name).isEmpty()).toList();
    if (!gone.isEmpty()) {
      streams.rejectedResourcesGone(context.stream(), pending.type(), gone);
    }
    Collection<String> candidates = pending.wildcard()
        ? resources.all(context.audience()).stream().map(EncodedResource::name).toList()
        : pending.subscribed();
    Map<String, VersionedResource<?>> send = new LinkedHashMap<>();
    boolean withheld = false;
    for (String name : candidates) {
      Optional<EncodedResource> resource = resources.get(name);
      if (resource.isPresent()) {
        String version = resource.get().version();
        boolean wasRejected = version.equals(rejected.get(name));
        withheld |= wasRejected;
        if (!version.equals(client.get(name)) && !wasRejected) {
          send.put(name, VersionedResource.create(resource.get().any(), version));
        }
      }
    }
    List<String> removed = new ArrayList<>();
    for (String name : new TreeSet<>(client.keySet())) {
      if (resources.get(name).isEmpty() && (pending.wildcard() || pending.subscribed().contains(name))) {
        removed.add(name);
      }
    }
    if (send.isEmpty() && removed.isEmpty() && !(owesFirst && pending.wildcard())) {
      if (!withheld) {
        streams.upToDate(context.stream(), pending.type(), changes.latest());
      }
      return Optional.empty();
    }
    synchronized (context.stream()) {
      state.markAnswered();
    }
    streams.answering(context.stream(), pending.type(), context.request(), changes);
    DeltaResponse response = DeltaResponse.create(pending.watch().request(), send, removed, resources.version());
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
      String requestVersion, Optional<String> rejectedVersion, boolean resendEndpoints, boolean namesAdded)
      implements PendingWatch {
    @Override
    public Optional<StreamRegistry.StreamState> stream() {
      return context.map(SotwContext::stream);
    }
  }

  private record DeltaPending(DeltaWatch watch, DeltaContext context, ResourceType type, boolean wildcard,
      Set<String> subscribed) implements PendingWatch {
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
