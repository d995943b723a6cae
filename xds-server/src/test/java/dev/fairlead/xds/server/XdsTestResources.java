package dev.fairlead.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.Durations;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.util.List;

/** Small Envoy resources for protocol tests, and what a response carries. */
final class XdsTestResources {

  private XdsTestResources() {}

  static Cluster cluster(String name, int timeoutSeconds) {
    return Cluster.newBuilder()
        .setName(name)
        .setType(Cluster.DiscoveryType.EDS)
        .setConnectTimeout(Durations.fromSeconds(timeoutSeconds))
        .build();
  }

  /**
   * A route configuration with {@code hosts} virtual hosts, so that contents differ by that number.
   */
  static RouteConfiguration route(String name, int hosts) {
    RouteConfiguration.Builder route = RouteConfiguration.newBuilder().setName(name);
    for (int i = 0; i < hosts; i++) {
      route.addVirtualHosts(
          VirtualHost.newBuilder().setName("h" + i).addDomains("h" + i + ".test"));
    }
    return route.build();
  }

  /**
   * A TLS certificate secret whose contents differ by {@code generation} (not a real certificate:
   * the cache does not look).
   */
  static Secret secret(String name, int generation) {
    return Secret.newBuilder()
        .setName(name)
        .setTlsCertificate(
            TlsCertificate.newBuilder()
                .setCertificateChain(DataSource.newBuilder().setInlineString("chain " + generation))
                .setPrivateKey(DataSource.newBuilder().setInlineString("key " + generation)))
        .build();
  }

  /** The names of the resources a response carries, in its order. */
  static List<String> names(DiscoveryResponse response) {
    return response.getResourcesList().stream().map(XdsTestResources::name).toList();
  }

  private static String name(Any any) {
    ResourceType type = ResourceType.ofTypeUrl(any.getTypeUrl()).orElseThrow();
    try {
      Message message =
          switch (type) {
            case CLUSTER -> any.unpack(Cluster.class);
            case ENDPOINT -> any.unpack(ClusterLoadAssignment.class);
            case LISTENER -> any.unpack(Listener.class);
            case ROUTE -> any.unpack(RouteConfiguration.class);
            case SECRET -> any.unpack(Secret.class);
          };
      return type.name(message);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("undecodable " + type.shortName() + " resource", e);
    }
  }
}
