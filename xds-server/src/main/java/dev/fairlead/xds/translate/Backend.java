package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.Objects;
import java.util.Optional;

/**
 * A cluster a route can send traffic to, with its endpoints: what a fleet must carry for each backend its routes
 * name.
 *
 * @param endpoints the cluster's ClusterLoadAssignment when it is an EDS cluster; empty when the cluster carries
 *                  its endpoints inline
 */
record Backend(Cluster cluster, Optional<ClusterLoadAssignment> endpoints) {

  Backend {
    Objects.requireNonNull(cluster, "cluster");
    Objects.requireNonNull(endpoints, "endpoints");
  }

  String name() {
    return cluster.getName();
  }
}
