package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A cluster a route can send traffic to, with its endpoints: what a fleet must carry for each
 * backend its routes name.
 *
 * @param endpoints the cluster's ClusterLoadAssignment when it is an EDS cluster; empty when the
 *     cluster carries its endpoints inline
 * @param byAllocation whether routes reach it by allocation ({@link AllocationRouting})
 * @param tokens for a backend reached by allocation, the token of each allocation of its endpoints,
 *     by allocation name (sorted): the requests pinned to it that may pass
 */
record Backend(
    Cluster cluster,
    Optional<ClusterLoadAssignment> endpoints,
    boolean byAllocation,
    SortedMap<String, String> tokens) {

  Backend {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoints, "endpoints");
    tokens = Collections.unmodifiableSortedMap(new TreeMap<>(tokens));
  }

  /** A backend every request may reach any endpoint of. */
  Backend(Cluster cluster, Optional<ClusterLoadAssignment> endpoints) {
    this(cluster, endpoints, false, new TreeMap<>());
  }

  String name() {
    return cluster.getName();
  }
}
