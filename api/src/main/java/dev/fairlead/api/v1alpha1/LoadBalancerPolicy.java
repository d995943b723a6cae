package dev.fairlead.api.v1alpha1;

/** Envoy's load-balancing policies an Upstream may choose. */
public enum LoadBalancerPolicy {
  ROUND_ROBIN,
  LEAST_REQUEST,
  RANDOM,
  RING_HASH,
  MAGLEV
}
