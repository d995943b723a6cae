/**
 * Status writing: the {@link dev.fairlead.reporter.StatusReporter} turns what the rest of Fairlead
 * concluded about each object (verdicts, ready endpoints, proxies' rejections, gathered in a {@link
 * dev.fairlead.reporter.StatusReport}) into the {@code status} subresource of Upstreams, Gateways
 * and HTTPRoutes. It writes only what changed, keyed by UID, with optimistic concurrency, and only
 * while started (on the elected leader).
 */
package dev.fairlead.reporter;
