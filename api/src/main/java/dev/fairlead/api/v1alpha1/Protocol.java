package dev.fairlead.api.v1alpha1;

/** The protocol Envoy speaks to an Upstream's endpoints. */
public enum Protocol {
  HTTP1,
  HTTP2,
  GRPC
}
