package dev.fairlead.xds.cache;

import io.envoyproxy.envoy.config.core.v3.Node;

/**
 * Who is on the other end of a stream, as far as what it may be sent: Envoy, or another xDS client
 * (gRPC's). Envoy is not sent Listeners with an {@code api_listener}, which it cannot take over
 * xDS.
 */
public enum Audience {
  ENVOY,
  XDS_CLIENT;

  /**
   * Envoy identifies itself as {@code user_agent_name: envoy}; anything else is served everything.
   */
  public static Audience of(Node node) {
    return node != null && "envoy".equals(node.getUserAgentName()) ? ENVOY : XDS_CLIENT;
  }
}
