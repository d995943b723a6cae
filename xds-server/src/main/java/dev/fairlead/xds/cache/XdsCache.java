package dev.fairlead.xds.cache;

import com.google.protobuf.Message;
import dev.fairlead.xds.cache.Answer.Holds;
import dev.fairlead.xds.cache.Answer.RejectedGone;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Answer.Standing;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fairlead's xDS cache: it holds, per fleet (a proxy's {@code node.cluster}), the Envoy resources
 * of each type, each encoded once ({@link EncodedResource}) and shared by every stream, and answers
 * the server's watches. The server owns each stream's state and passes what the cache needs of it
 * as a parameter ({@link SotwSubscription}, {@link DeltaSubscription}); the cache says what it
 * found as {@link Answer}s and never reaches back into the server. It answers so that:
 *
 * <ul>
 *   <li>versions are content hashes: replicas and restarts agree, and a delta client that
 *       reconnects with {@code initial_resource_versions} gets only what changed plus the names of
 *       what is gone;
 *   <li>a rejected version is never sent again to the proxy that rejected it — the next response
 *       waits for different content (no NACK loop); going back to the version it last accepted is
 *       sent again, since the proxy may have applied part of what it rejected;
 *   <li>a request naming resources that do not exist yet is answered with those that do; the others
 *       follow when they appear;
 *   <li>an update touches only the changed types' open watches, and the set version of a type is
 *       maintained in O(1) per changed resource.
 * </ul>
 *
 * <p>Thread-safe. Each fleet has a lock guarding its resources, its open watches and what each
 * watch has found so far. Answers are computed under it and handed to the watches' consumers after
 * it is released: the cache never calls out while holding a lock, so a consumer may take its own
 * locks and may cancel watches. Producers may call {@link #setFleet} from any thread.
 */
public final class XdsCache {

  private static final Logger LOG = LoggerFactory.getLogger(XdsCache.class);

  /**
   * How many fleet names with no configuration get their own INFO line: the names come from
   * clients, so past this many the line is logged at DEBUG only, and the set stays bounded.
   */
  static final int WARNED_FLEETS_LIMIT = 1024;

  /**
   * The fleets by name: every fleet set, and every fleet a proxy waits for while it has an open
   * watch. A fleet never set leaves the map with its last watch ({@link Fleet#retired}), so names
   * clients make up do not accumulate; one set stays.
   */
  private final Map<String, Fleet> fleets = new ConcurrentHashMap<>();

  private final Set<String> warnedFleets = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean warnedNoFleet = new AtomicBoolean();

  /**
   * Makes {@code resources} the whole configuration of {@code fleet}: resources not listed are
   * removed, changed ones replaced. Watches of the types that changed are answered.
   */
  public void setFleet(
      String fleet, Map<ResourceType, ? extends Collection<? extends Message>> resources) {
    setFleet(fleet, resources, System.nanoTime());
  }

  /**
   * As {@link #setFleet(String, Map)}, for a change first observed at {@code observedNanos} ({@link
   * System#nanoTime()}): proxies' convergence times are measured from then.
   */
  public void setFleet(
      String fleet,
      Map<ResourceType, ? extends Collection<? extends Message>> resources,
      long observedNanos) {
    Map<ResourceType, Map<String, EncodedResource>> previous = new EnumMap<>(ResourceType.class);
    Fleet target = locked(fleet);
    try {
      for (ResourceType type : ResourceType.values()) {
        previous.put(type, target.resources.get(type).copy());
      }
    } finally {
      target.lock.unlock();
    }
    // Encoding happens outside the lock; a message equal to the one already held keeps its
    // encoding.
    Map<ResourceType, List<EncodedResource>> encoded = new EnumMap<>(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      Collection<? extends Message> messages =
          resources.containsKey(type) ? resources.get(type) : List.of();
      Map<String, EncodedResource> held = previous.get(type);
      List<EncodedResource> list = new ArrayList<>(messages.size());
      for (Message message : messages) {
        EncodedResource before = held.get(type.name(message));
        list.add(
            before == null
                ? EncodedResource.encode(type, message)
                : before.reuseOrEncode(type, message));
      }
      encoded.put(type, list);
    }
    List<Runnable> deliveries = new ArrayList<>();
    target = locked(fleet); // the same fleet, unless one never set retired meanwhile
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
          answerWatches(target, type, deliveries);
        }
      }
    } finally {
      target.lock.unlock();
    }
    deliveries.forEach(Runnable::run);
  }

  /** Removes every fleet not in {@code keep}; their proxies are told their resources are gone. */
  public void retainFleets(Set<String> keep) {
    for (Map.Entry<String, Fleet> entry : List.copyOf(fleets.entrySet())) {
      String name = entry.getKey();
      if (!keep.contains(name) && entry.getValue().known) {
        setFleet(name, Map.of());
      }
    }
  }

  /** How many fleets the cache holds: those set, and those never set with an open watch. */
  int fleetCount() {
    return fleets.size();
  }

  /** The version of a fleet's resources of one type, if the fleet has been set. */
  public Optional<String> version(String fleet, ResourceType type) {
    return read(
        fleet, f -> f.known ? Optional.of(f.resources.get(type).version()) : Optional.empty());
  }

  /**
   * The number of the latest change of a fleet's resources of one type, if the fleet has been set:
   * a stream whose watch of the type was told it holds everything as of this change ({@link
   * Answer.Holds#change}) holds the current configuration of what it asks for. Numbers are this
   * cache's own, not comparable across replicas.
   */
  public Optional<Long> latestChange(String fleet, ResourceType type) {
    return read(fleet, f -> f.known ? Optional.of(f.changes.get(type).latest()) : Optional.empty());
  }

  /**
   * What a fleet holds of one type, as {@code audience} is sent it: the version of the whole set
   * and the resources, sorted by name; empty if the fleet has no configuration.
   */
  public Optional<TypeSnapshot> snapshot(String fleet, ResourceType type, Audience audience) {
    return read(
        fleet,
        f -> {
          TypeResources resources = f.resources.get(type);
          return f.known
              ? Optional.of(new TypeSnapshot(resources.version(audience), resources.all(audience)))
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
  private <T> Optional<T> read(String fleet, Function<Fleet, Optional<T>> reader) {
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

  /**
   * Watches a state-of-the-world stream's request of one type: {@code answers} is told what the
   * stream should be sent, at once or when the fleet's resources change, and notes about what it
   * holds meanwhile ({@link Answer}). Consumers run on the caller's thread or a producer's, with no
   * lock of the cache held; keep them short.
   */
  public Watch watchSotw(SotwSubscription subscription, Consumer<Answer> answers) {
    return register(new SotwPending(subscription, answers));
  }

  /** As {@link #watchSotw}, for a delta stream's subscription to one type. */
  public Watch watchDelta(DeltaSubscription subscription, Consumer<Answer> answers) {
    return register(new DeltaPending(subscription, answers));
  }

  private Watch register(Pending pending) {
    Proxy proxy = pending.proxy();
    if (proxy.fleet().isEmpty()) {
      if (warnedNoFleet.compareAndSet(false, true)) {
        LOG.warn(
            "Proxy {} sent no node.cluster: it names no fleet and cannot be served",
            proxy.nodeId());
      }
      return new Watch(-1); // never answered
    }
    Fleet fleet = locked(proxy.fleet());
    List<Answer> answers;
    try {
      if (!fleet.known) {
        warnWaiting(proxy);
      }
      long latest = fleet.changes.get(pending.type).latest();
      pending.watch = new Watch(latest);
      if (pending.heldChange < 0) {
        pending.heldChange = latest; // what came before is not this stream's to converge on
      }
      answers = answer(fleet, pending);
      if (!answered(answers)) {
        Set<Pending> open = fleet.watches.get(pending.type);
        open.add(pending);
        pending.watch.onCancel(
            () -> {
              fleet.lock.lock();
              try {
                open.remove(pending);
                if (!fleet.known && fleet.watches.values().stream().allMatch(Set::isEmpty)) {
                  fleet.retired = true;
                  fleets.remove(proxy.fleet(), fleet);
                }
              } finally {
                fleet.lock.unlock();
              }
            });
      }
    } finally {
      fleet.lock.unlock();
    }
    pending.tell(answers);
    return pending.watch;
  }

  private static boolean answered(List<Answer> answers) {
    return !answers.isEmpty() && answers.get(answers.size() - 1) instanceof Response;
  }

  /** Under the fleet's lock: answers what can be answered among the type's open watches. */
  private void answerWatches(Fleet fleet, ResourceType type, List<Runnable> deliveries) {
    var open = fleet.watches.get(type).iterator();
    while (open.hasNext()) {
      Pending pending = open.next();
      if (pending.watch.cancelled()) {
        open.remove();
        continue;
      }
      List<Answer> answers = answer(fleet, pending);
      if (answered(answers)) {
        open.remove();
      }
      if (!answers.isEmpty()) {
        deliveries.add(() -> pending.tell(answers));
      }
    }
  }

  /**
   * Under the fleet's lock: what to tell the watch now, ending with the response if there is one to
   * send.
   */
  private List<Answer> answer(Fleet fleet, Pending pending) {
    if (!fleet.known) {
      return List.of();
    }
    TypeResources resources = fleet.resources.get(pending.type);
    ChangeLog changes = fleet.changes.get(pending.type);
    if (pending instanceof SotwPending sotw) {
      return sotw.subscription.wildcard()
          ? answerWildcard(resources, changes, sotw)
          : answerNamed(resources, changes, sotw);
    }
    return answerDelta(resources, changes, (DeltaPending) pending);
  }

  /** State of the world, everything of the type the stream's audience is sent. */
  private List<Answer> answerWildcard(
      TypeResources resources, ChangeLog changes, SotwPending pending) {
    SotwSubscription subscription = pending.subscription;
    Audience audience = subscription.proxy().audience();
    String version = resources.version(audience);
    // After a NACK the proxy's version_info names the last version it accepted, but Envoy may have
    // applied part of the rejected response (a state-of-the-world LDS update removes the listeners
    // it does not list even when adding another fails): going back to that version must be sent
    // again, not taken as already held.
    if (version.equals(subscription.requestVersion()) && subscription.rejectedVersion().isEmpty()) {
      pending.upToDate(changes.latest());
      return List.of(
          new Holds(pending.type, changes.latest(), Standing.CURRENT_VERSION, -1, List.of()));
    }
    if (subscription.rejectedVersion().filter(version::equals).isPresent()) {
      return List.of();
    }
    return List.of(
        pending.response(changes, version, resources.all(audience), List.of(), -1, List.of()));
  }

  /**
   * State of the world for a named type (EDS, RDS): like delta, only what changed. The protocol
   * lets a response for these types carry a subset — a resource not in it is not removed — so a
   * stream that holds everything it asks for as of sequence number {@code n} is sent only the
   * resources it asks for that changed since, and those it did not ask for before. Everything it
   * asks for is sent when it first asks on this stream, when clusters changed (Envoy's warming
   * clusters wait for their endpoints again), and when it is further behind than the resources
   * remember. A rejected response counts as held: its resources are sent again when they change,
   * and the rejection stands until the proxy accepts them, stops asking for them or they are
   * deleted. {@code version_info} is the version of the fleet's whole set of the type, so every
   * proxy holding the current configuration reports the same version.
   */
  private List<Answer> answerNamed(
      TypeResources resources, ChangeLog changes, SotwPending pending) {
    SotwSubscription subscription = pending.subscription;
    Set<String> names = subscription.names();
    long sequence = resources.sequence();
    String version = resources.version();
    long held = pending.heldAsOf;
    boolean everything =
        subscription.firstOfType()
            || subscription.resendEndpoints()
            || held < 0
            || held < resources.floor();
    List<EncodedResource> send;
    if (everything) {
      send = resources.subset(names); // shared by every stream asking for the same names
    } else {
      send = new ArrayList<>();
      Set<String> chosen = new TreeSet<>(subscription.addedNames());
      for (String name : resources.changedSince(held)) {
        if (names.contains(name)) {
          chosen.add(name);
        }
      }
      for (String name : chosen) {
        resources.get(name).ifPresent(send::add);
      }
    }
    List<Answer> answers = new ArrayList<>(2);
    Optional<List<String>> rejection = pending.rejection;
    if (rejection.isPresent()
        && rejection.get().stream()
            .noneMatch(name -> names.contains(name) && resources.get(name).isPresent())) {
      answers.add(new RejectedGone(pending.type, rejection.get()));
      pending.rejection = Optional.empty();
    }
    if (send.isEmpty()) {
      // Up to date, and no more: the request's version_info may name the current version of the
      // whole set while a resource it rejected is part of that set (its ACK of a later response
      // that did not carry it).
      pending.holdsAsOf(sequence);
      pending.upToDate(changes.latest());
      answers.add(
          new Holds(pending.type, changes.latest(), Standing.UP_TO_DATE, sequence, List.of()));
      return answers;
    }
    answers.add(pending.response(changes, version, send, List.of(), sequence, List.of()));
    return answers;
  }

  /**
   * Delta: the resources the client should hold and does not, and the names of those it holds that
   * are gone. Only the resources changed since the stream last looked ({@link
   * TypeResources#changedSince}) and names it (re-)subscribed to since are looked at; everything on
   * its first answer, or when it is further behind than the resources remember.
   */
  private List<Answer> answerDelta(
      TypeResources resources, ChangeLog changes, DeltaPending pending) {
    DeltaSubscription subscription = pending.subscription;
    Audience audience = subscription.proxy().audience();
    boolean wildcard = pending.type.wildcard();
    long sequence = resources.sequence();
    List<EncodedResource> send = new ArrayList<>();
    boolean inNameOrder = false;
    List<String> removed = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    boolean withheld = false;
    // Before the first answer, what a reconnecting client said it holds; after it, a resource
    // changed since the
    // stream last looked is one the client does not hold.
    Map<String, String> initial = pending.initialVersions;
    Set<String> held = subscription.held();
    Map<String, String> rejected = pending.rejected;
    for (String name : rejected.keySet()) {
      if (resources.get(name).isEmpty()) {
        gone.add(name);
      }
    }
    List<String> rechecked = List.copyOf(pending.recheck);
    boolean everything = pending.synced < 0 || pending.synced < resources.floor();
    Collection<String> candidates;
    if (everything && wildcard) {
      // Everything, in name order (the sorted list is kept per change), then whatever it holds that
      // is gone.
      List<String> all =
          new ArrayList<>(resources.all(audience).stream().map(EncodedResource::name).toList());
      for (String name : held) {
        if (resources.get(name).filter(r -> TypeResources.visibleTo(r, audience)).isEmpty()) {
          all.add(name);
        }
      }
      candidates = all;
      inNameOrder = true;
    } else if (everything) {
      Set<String> all = new HashSet<>(subscription.subscribed());
      all.addAll(held);
      candidates = all;
    } else if (rechecked.isEmpty()) {
      candidates = resources.changedSince(pending.synced);
    } else {
      Set<String> some = new HashSet<>(resources.changedSince(pending.synced));
      some.addAll(rechecked);
      candidates = some;
    }
    for (String name : candidates) {
      boolean wanted = wildcard || subscription.subscribed().contains(name);
      if (!wanted) {
        continue;
      }
      Optional<EncodedResource> resource =
          resources.get(name).filter(r -> !wildcard || TypeResources.visibleTo(r, audience));
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
    List<Answer> answers = new ArrayList<>(2);
    if (!gone.isEmpty()) {
      pending.forgetRejected(gone);
      answers.add(new RejectedGone(pending.type, gone));
    }
    if (send.isEmpty() && removed.isEmpty() && !(subscription.owesFirstResponse() && wildcard)) {
      pending.syncedUpTo(sequence, rechecked);
      if (!withheld) {
        pending.upToDate(changes.latest());
      }
      answers.add(
          new Holds(
              pending.type,
              changes.latest(),
              withheld ? Standing.WITHHELD : Standing.UP_TO_DATE,
              sequence,
              rechecked));
      return answers;
    }
    removed.sort(null);
    if (!inNameOrder) {
      send.sort(Comparator.comparing(EncodedResource::name));
    }
    answers.add(pending.response(changes, resources.version(), send, removed, sequence, rechecked));
    return answers;
  }

  /**
   * One open watch and what the cache has found for it so far, starting from what the server
   * passed: the cache's own working copy, so that notes it sent while the watch waits count on its
   * next look. Guarded by the fleet's lock; {@link #tell} runs outside it.
   */
  private abstract static class Pending {
    final ResourceType type;
    final Consumer<Answer> answers;
    Watch watch;

    /** The change the stream is known to hold ({@link ChangeLog}). */
    long heldChange;

    Pending(ResourceType type, Consumer<Answer> answers, long heldChange) {
      this.type = type;
      this.answers = answers;
      this.heldChange = heldChange;
    }

    abstract Proxy proxy();

    /** The stream holds everything as of {@code change}. */
    void upToDate(long change) {
      heldChange = Math.max(heldChange, change);
    }

    /** The response bringing the stream up to the latest change of {@code changes}. */
    Response response(
        ChangeLog changes,
        String version,
        List<EncodedResource> resources,
        List<String> removed,
        long sequence,
        List<String> rechecked) {
      return new Response(
          type,
          version,
          resources,
          removed,
          changes.latest(),
          changes.observedAfter(heldChange),
          sequence,
          rechecked);
    }

    /**
     * Outside the fleet's lock: hands {@code found} to the consumer, unless the watch was cancelled
     * meanwhile.
     */
    void tell(List<Answer> found) {
      for (Answer answer : found) {
        if (watch.cancelled()) {
          return; // the stream moved on (or closed); its next request makes a new watch
        }
        answers.accept(answer);
      }
    }
  }

  private static final class SotwPending extends Pending {
    final SotwSubscription subscription;
    long heldAsOf;
    Optional<List<String>> rejection;

    SotwPending(SotwSubscription subscription, Consumer<Answer> answers) {
      super(subscription.type(), answers, subscription.heldChange());
      this.subscription = subscription;
      this.heldAsOf = subscription.heldAsOf();
      this.rejection = subscription.rejection();
    }

    @Override
    Proxy proxy() {
      return subscription.proxy();
    }

    /** Of a named type, the stream holds everything it asks for as of {@code sequence}. */
    void holdsAsOf(long sequence) {
      if (!type.wildcard()) {
        heldAsOf = Math.max(heldAsOf, sequence);
      }
    }
  }

  private static final class DeltaPending extends Pending {
    final DeltaSubscription subscription;
    Map<String, String> initialVersions;
    final Map<String, String> rejected;
    final Set<String> recheck;
    long synced;

    DeltaPending(DeltaSubscription subscription, Consumer<Answer> answers) {
      super(subscription.type(), answers, subscription.heldChange());
      this.subscription = subscription;
      this.initialVersions = subscription.initialVersions();
      this.rejected =
          subscription.rejected().isEmpty() ? Map.of() : new HashMap<>(subscription.rejected());
      this.recheck =
          subscription.recheck().isEmpty() ? Set.of() : new HashSet<>(subscription.recheck());
      this.synced = subscription.synced();
    }

    @Override
    Proxy proxy() {
      return subscription.proxy();
    }

    void forgetRejected(Collection<String> names) {
      names.forEach(rejected::remove);
    }

    void syncedUpTo(long sequence, Collection<String> rechecked) {
      synced = Math.max(synced, sequence);
      initialVersions = Map.of();
      if (!rechecked.isEmpty()) {
        rechecked.forEach(recheck::remove);
      }
    }
  }

  /**
   * The fleet named {@code name}, created if there is none, with its lock held: never one that has
   * retired, so what the caller does under the lock is seen by whoever gets the fleet next.
   */
  private Fleet locked(String name) {
    while (true) {
      Fleet fleet = fleets.computeIfAbsent(name, ignored -> new Fleet());
      fleet.lock.lock();
      if (!fleet.retired) {
        return fleet;
      }
      fleet.lock.unlock();
    }
  }

  /**
   * Logs that {@code proxy} waits for a fleet with no configuration: once per name at INFO for the
   * first {@value #WARNED_FLEETS_LIMIT} names; for any name after those, at DEBUG on every watch.
   */
  private void warnWaiting(Proxy proxy) {
    if (warnedFleets.contains(proxy.fleet())) {
      return;
    }
    String line =
        "Proxy {} asks for fleet {}, which has no configuration yet; it waits until one exists";
    if (warnedFleets.size() < WARNED_FLEETS_LIMIT && warnedFleets.add(proxy.fleet())) {
      LOG.info(line, proxy.nodeId(), proxy.fleet());
    } else {
      LOG.debug(line, proxy.nodeId(), proxy.fleet());
    }
  }

  /** One fleet's resources, open watches and change logs, guarded by {@link #lock}. */
  private static final class Fleet {
    final ReentrantLock lock = new ReentrantLock();
    boolean known;

    /**
     * Never set, its last watch gone, and out of the map: whoever finds it retired takes the map's
     * current fleet of the name instead ({@link #locked}).
     */
    boolean retired;

    final Map<ResourceType, TypeResources> resources = new EnumMap<>(ResourceType.class);
    final Map<ResourceType, Set<Pending>> watches = new EnumMap<>(ResourceType.class);
    final Map<ResourceType, ChangeLog> changes = new EnumMap<>(ResourceType.class);

    Fleet() {
      for (ResourceType type : ResourceType.values()) {
        resources.put(type, new TypeResources());
        watches.put(type, new LinkedHashSet<>());
        changes.put(type, new ChangeLog());
      }
    }
  }
}
