package dev.fairlead.xds.server;

import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.DeltaSubscription;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.Proxy;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The delta view of one type on one stream: the names the client holds and subscribes to, the
 * versions it rejected (never sent again), the responses awaiting its answer, and how far the cache
 * has looked for it. What the cache needs of it goes out as a {@link DeltaSubscription}.
 *
 * <p>No map of every resource's version per stream: which versions a client holds follows from the
 * fleet's change sequence ({@link #synced}) — a resource changed since is one it does not hold — so
 * only the names are kept, and those as sets shared by every stream holding the same ({@link
 * ResourceSets}). A thousand proxies holding the same 10,000 assignments share one set where each
 * would otherwise keep a map.
 *
 * <p>Not thread-safe: guarded by the monitor of the {@link StreamState} that owns it.
 */
final class DeltaState {

  /**
   * What a reconnecting client said it holds ({@code initial_resource_versions}), until its first
   * answer. Immutable.
   */
  private Map<String, String> initialVersions = Map.of();

  /**
   * The names the client holds, as far as its acknowledgements say. Shared; replaced, never
   * changed.
   */
  private Set<String> held = Set.of();

  private final Map<String, String> rejected = new HashMap<>();

  /** Responses sent and not answered yet, by nonce. */
  private final Map<String, Response> pending = new HashMap<>();

  /**
   * For named types: the names the client subscribed to (removal of a resource does not unsubscribe
   * it). Shared.
   */
  private Set<String> subscribed = Set.of();

  /**
   * Names to look at on the next answer whether or not they changed: (re-)subscribed since the last
   * one.
   */
  private final Set<String> recheck = new HashSet<>();

  /**
   * The sequence number of the fleet's resources up to which every change has been looked at for
   * this stream: sent, found held, or withheld as rejected; -1 until the first answer.
   */
  private long synced = -1;

  private boolean seenFirstRequest;
  private boolean answeredOnce;

  /**
   * Applies what a request says of the subscription: the versions a reconnecting client holds (on
   * its first request), the names it subscribes to and unsubscribes from. Returns whether that
   * forgot every resource it had rejected, so that its rejection of the type clears.
   */
  boolean subscriptionChanged(ResourceType type, DeltaDiscoveryRequest request, ResourceSets sets) {
    if (!seenFirstRequest) {
      seenFirstRequest = true;
      // A reconnecting client says what it holds; it is sent only what differs, and told what is
      // gone.
      Map<String, String> initial = request.getInitialResourceVersionsMap();
      if (!initial.isEmpty()) {
        initialVersions = Map.copyOf(initial);
        held = sets.with(held, initial.keySet());
        if (!type.wildcard()) {
          subscribed = sets.with(subscribed, initial.keySet());
        }
      }
    } else if (!type.wildcard()) {
      // An explicit (re-)subscription asks for the resource again, e.g. for a cluster that is
      // warming.
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
        // Before its first answer everything subscribed is looked at anyway: no per-stream copy of
        // 10,000 names.
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
    return forget(unsubscribing);
  }

  /** The client does not hold what it reconnected with for {@code names}. */
  private void forgetInitialVersions(Collection<String> names) {
    if (initialVersions.isEmpty() || names.stream().noneMatch(initialVersions::containsKey)) {
      return;
    }
    Map<String, String> rest = new HashMap<>(initialVersions);
    names.forEach(rest::remove);
    initialVersions = Map.copyOf(rest);
  }

  /**
   * {@code response} went out with {@code nonce}: it awaits the client's answer, and the cache's
   * look counts.
   */
  void sent(String nonce, Response response) {
    pending.put(nonce, response);
    answeredOnce = true;
    holds(response.sequence(), response.rechecked());
  }

  /**
   * Every change up to {@code sequence} has been looked at, and {@code rechecked} too: a response
   * computed then went out, or nothing needed to be sent.
   */
  void holds(long sequence, Collection<String> rechecked) {
    synced = Math.max(synced, sequence);
    initialVersions = Map.of();
    // One removal per name: Set.removeAll(List) may call List.contains per element of the set,
    // O(n²).
    for (String name : rechecked) {
      recheck.remove(name);
    }
  }

  /**
   * The response a request's nonce answers, taken off the list of those awaiting an answer; empty
   * if none.
   */
  Optional<Response> answered(String nonce) {
    return nonce.isEmpty() ? Optional.empty() : Optional.ofNullable(pending.remove(nonce));
  }

  /**
   * The client rejected {@code response}: its resources' versions are not sent again. Returns their
   * names, sorted.
   */
  List<String> rejected(Response response) {
    List<String> names = new ArrayList<>(response.resources().size());
    for (EncodedResource resource : response.resources()) {
      rejected.put(resource.name(), resource.version());
      names.add(resource.name());
    }
    names.sort(null);
    return names;
  }

  /**
   * The client accepted {@code response}: it holds what it carried and not what it removed. Delta
   * rejections are per resource, so returns whether that accepted the last resource it had rejected
   * (its rejection clears).
   */
  boolean accepted(Response response, ResourceSets sets) {
    List<String> names = response.resources().stream().map(EncodedResource::name).toList();
    held = sets.without(sets.with(held, names), response.removed());
    return forget(names);
  }

  /**
   * Stops counting {@code names} as rejected; returns whether that removed some and none is left
   * (the stream's rejection of the type clears).
   */
  boolean forget(Collection<String> names) {
    boolean removedAny = false;
    for (String name : names) {
      removedAny |= rejected.remove(name) != null;
    }
    return removedAny && rejected.isEmpty();
  }

  /** What the cache needs to answer the client now. */
  DeltaSubscription subscription(Proxy proxy, ResourceType type, long heldChange) {
    return new DeltaSubscription(
        proxy,
        type,
        initialVersions,
        held,
        subscribed,
        rejected,
        recheck,
        synced,
        !answeredOnce,
        heldChange);
  }
}
