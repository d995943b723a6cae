package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.Objects;
import java.util.Optional;

/**
 * A cluster a route can send traffic to, with its endpoints: what a fleet must carry for each backend its routes
 * name.
 *
 * @param endpoints    the cluster's ClusterLoadAssignment when it is an EDS cluster; empty when the cluster carries
 *                     its endpoints inline
 * @param byAllocation whether routes reach it by allocation ({@link AllocationRouting})
 */
record Backend(Cluster cluster, Optional<ClusterLoadAssignment> endpoints, boolean byAllocation) {

  Backend {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  /** A backend every request may reach any endpoint of. */
  Backend(Cluster cluster, Optional<ClusterLoadAssignment> endpoints) {
    this(cluster, endpoints, false);
  }

  String name() {
    return cluster.getName();
  }
}
