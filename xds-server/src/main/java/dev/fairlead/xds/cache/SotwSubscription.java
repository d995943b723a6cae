package dev.fairlead.xds.cache;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What a state-of-the-world stream asks of one type and what the server knows it holds, handed to
 * {@link XdsCache#watchSotw} with its request. The server owns this state; the cache reads this
 * copy and says what it found in {@link Answer}s. Immutable; the name sets are the server's shared
 * instances, never copied.
 *
 * @param proxy who asks
 * @param type the type asked for
 * @param names the names the request lists (empty for a wildcard request)
 * @param addedNames of a named type (EDS, RDS), names its previous request of the type on this
 *     stream did not list: the proxy may not hold them whatever its {@code version_info} says
 * @param firstOfType no previous request of the type on this stream: it is sent everything it asks
 *     for
 * @param requestVersion the {@code version_info} of the request: the version the proxy last
 *     accepted
 * @param rejectedVersion the version this request rejects, if it is a NACK: never sent to it again
 * @param rejection the resource names of the type's standing rejection, if one stands
 * @param resendEndpoints clusters were sent since the last endpoint response: Envoy's warming
 *     clusters wait for their endpoints again, so all of them are sent
 * @param heldAsOf of a named type, the sequence number of the fleet's resources ({@link
 *     TypeResources}) as of which the stream holds everything it asks for; -1 if unknown
 * @param heldChange the change of the fleet's resources of the type the stream is known to hold
 *     ({@link ChangeLog}), for convergence times; -1 before the cache first saw the stream ask
 */
public record SotwSubscription(
    Proxy proxy,
    ResourceType type,
    Set<String> names,
    Set<String> addedNames,
    boolean firstOfType,
    String requestVersion,
    Optional<String> rejectedVersion,
    Optional<List<String>> rejection,
    boolean resendEndpoints,
    long heldAsOf,
    long heldChange) {

  /**
   * Whether the request asks for every resource of the type: it names {@code *}, or it names
   * nothing of a wildcard type. For a named type no names means no subscription (Envoy's request
   * once no listener or cluster needs any): answering it with everything would be ignored and asked
   * again, in a loop.
   */
  public boolean wildcard() {
    return names.contains("*") || (names.isEmpty() && type.wildcard());
  }
}
