/**
 * Kubernetes mode's inputs and discovery's one write.
 *
 * <ul>
 *   <li>{@link dev.fairlead.discovery.ClusterStateSource}: informers on everything a translation
 *       reads, whose events coalesce into level-triggered rebuilds of an immutable {@link
 *       dev.fairlead.api.state.ClusterState}. Runs on every replica.
 *   <li>{@link dev.fairlead.discovery.UpstreamReconciler}: one Upstream per Service port for the
 *       Services in a {@link dev.fairlead.discovery.DiscoveryScope}. Deciding ({@link
 *       dev.fairlead.discovery.DesiredUpstreams}, {@code UpstreamDecision}) is pure and separate
 *       from writing ({@code UpstreamWriter}: server-side apply of discovery's fields only,
 *       preconditions, conflicts retried from fresh state). Runs on the elected leader only.
 * </ul>
 */
package dev.fairlead.discovery;
