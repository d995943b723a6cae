package dev.fairlead.xds.cache;

/**
 * Who is on the other end of a stream, as far as the cache cares: its node id (for log lines), the
 * fleet whose resources it is served ({@code node.cluster}; empty if it named none) and its {@link
 * Audience}.
 */
public record Proxy(String nodeId, String fleet, Audience audience) {}
