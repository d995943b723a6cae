/**
 * Fairlead's gRPC xDS server: the aggregated discovery service, state of the world and delta, and
 * the state of every stream. The server owns stream state; the cache ({@code
 * dev.fairlead.xds.cache}) answers.
 *
 * <ul>
 *   <li>{@link dev.fairlead.xds.server.XdsServer}: the gRPC endpoint, its TLS, threads and send
 *       budget.
 *   <li>{@link dev.fairlead.xds.server.AdsService}: the protocol per stream — nonces, one open
 *       watch per type, when to ask the cache, turning the cache's answers into responses.
 *   <li>{@link dev.fairlead.xds.server.StreamRegistry}: the open streams, the xDS meters, and what
 *       the rest of Fairlead reads (proxies, current NACKs, a listener for their changes).
 *   <li>{@link dev.fairlead.xds.server.StreamState}: one stream — node, ACKs, what was sent, what
 *       its named state-of-the-world types hold, and the subscriptions it hands the cache.
 *   <li>{@link dev.fairlead.xds.server.DeltaState}: one delta type of one stream — subscribed and
 *       held names, rejected versions, responses awaiting an answer.
 *   <li>{@link dev.fairlead.xds.server.Rejections}: one stream's standing and last NACK per type.
 *   <li>{@link dev.fairlead.xds.server.Outbound}, {@link dev.fairlead.xds.server.SendBudget}:
 *       writing responses when a stream can take them, within a server-wide budget of bytes in
 *       flight.
 * </ul>
 *
 * <h2>Lock order</h2>
 *
 * <p>A thread holding one of these locks takes only locks further down the list, never one above
 * it:
 *
 * <ol>
 *   <li>the ADS stream's monitor ({@code AdsService.Stream}): its watches, nonces and whether it
 *       ended;
 *   <li>a fleet's lock in the cache ({@code XdsCache}), taken under the stream's monitor only to
 *       cancel a watch;
 *   <li>the stream state's monitor ({@link dev.fairlead.xds.server.StreamState}, which guards its
 *       {@link dev.fairlead.xds.server.DeltaState}s and {@link
 *       dev.fairlead.xds.server.Rejections});
 *   <li>the stream's {@link dev.fairlead.xds.server.Outbound};
 *   <li>the {@link dev.fairlead.xds.server.SendBudget}.
 * </ol>
 *
 * <p>The cache computes answers under a fleet's lock and hands them over after releasing it, so a
 * consumer of answers starts with no lock held; the cache is asked for a watch with no lock held.
 * The budget wakes waiting streams after releasing its own lock. Rejection listeners ({@link
 * dev.fairlead.xds.server.StreamRegistry#onRejectionsChanged}) run with no lock held.
 */
package dev.fairlead.xds.server;
