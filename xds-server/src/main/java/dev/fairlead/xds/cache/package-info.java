/**
 * Fairlead's xDS cache: the Envoy resources of each fleet, encoded once and versioned by content,
 * and the answers to watches.
 *
 * <p>The seam with the server ({@code dev.fairlead.xds.server}) is {@link
 * dev.fairlead.xds.cache.XdsCache#watchSotw} and {@link
 * dev.fairlead.xds.cache.XdsCache#watchDelta}: the server owns every stream's state and passes what
 * the cache needs of it as a parameter ({@link dev.fairlead.xds.cache.SotwSubscription}, {@link
 * dev.fairlead.xds.cache.DeltaSubscription}); the cache answers with values ({@link
 * dev.fairlead.xds.cache.Answer}) and never calls into stream state. A watch keeps its own working
 * copy of what it was passed, so notes it sends while waiting count on its next look.
 *
 * <ul>
 *   <li>{@link dev.fairlead.xds.cache.XdsCache}: fleets, their locks and open watches; what to send
 *       whom.
 *   <li>{@link dev.fairlead.xds.cache.TypeResources}: one fleet's resources of one type, their set
 *       version and change sequence.
 *   <li>{@link dev.fairlead.xds.cache.ChangeLog}: when each change of a fleet's type was observed,
 *       for convergence times.
 *   <li>{@link dev.fairlead.xds.cache.EncodedResource}: one resource, encoded and hashed once.
 *   <li>{@link dev.fairlead.xds.cache.ResourceType}, {@link dev.fairlead.xds.cache.Audience},
 *       {@link dev.fairlead.xds.cache.Proxy}: the types served, who is sent what.
 * </ul>
 *
 * <p>Locks: one per fleet, guarding its resources, open watches and their working copies. The cache
 * takes no other lock while holding one and calls no consumer under it; see the server package for
 * the order across both.
 */
package dev.fairlead.xds.cache;
