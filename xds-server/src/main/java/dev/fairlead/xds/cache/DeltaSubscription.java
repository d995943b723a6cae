package dev.fairlead.xds.cache;

import java.util.Map;
import java.util.Set;

/**
 * What a delta stream subscribes to of one type and what the server knows it holds, handed to
 * {@link XdsCache#watchDelta} when the stream awaits no answer of the type. The server owns this
 * state; the cache reads this copy and says what it found in {@link Answer}s. Immutable; the sets
 * of names are the server's shared instances, never copied.
 *
 * @param proxy who asks
 * @param type the type asked for; a wildcard type ({@link ResourceType#wildcard()}) sends the
 *     client everything, a named one what it subscribed to
 * @param initialVersions before the first answer, the versions a reconnecting client said it holds
 *     ({@code initial_resource_versions}): only what differs is sent; empty after it
 * @param held the names the client holds, as far as its acknowledgements say
 * @param subscribed of a named type, the names the client subscribed to
 * @param rejected the versions of resources it rejected, by name: never sent to it again
 * @param recheck names to look at whether or not they changed: (re-)subscribed since the last
 *     answer
 * @param synced the sequence number of the fleet's resources ({@link TypeResources}) up to which
 *     every change has been looked at for this stream; -1 before the first answer
 * @param owesFirstResponse the client waits for its first response of the type on this stream: a
 *     wildcard type gets one even if it is empty
 * @param heldChange the change of the fleet's resources of the type the stream is known to hold
 *     ({@link ChangeLog}), for convergence times; -1 before the cache first saw the stream ask
 */
public record DeltaSubscription(
    Proxy proxy,
    ResourceType type,
    Map<String, String> initialVersions,
    Set<String> held,
    Set<String> subscribed,
    Map<String, String> rejected,
    Set<String> recheck,
    long synced,
    boolean owesFirstResponse,
    long heldChange) {

  public DeltaSubscription {
    initialVersions = Map.copyOf(initialVersions);
    rejected = Map.copyOf(rejected);
    recheck = Set.copyOf(recheck);
  }
}
