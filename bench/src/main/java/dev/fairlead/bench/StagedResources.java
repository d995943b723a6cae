package dev.fairlead.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The whole resource set of a target that is sent resources, kept up to date from resource frames:
 * upserts and removals by name, decoded to their messages. Not thread-safe: the frame-reading
 * thread owns it.
 */
final class StagedResources {

  private final Map<ResourceType, TreeMap<String, Message>> byType =
      new EnumMap<>(ResourceType.class);

  StagedResources() {
    for (ResourceType type : ResourceType.values()) {
      byType.put(type, new TreeMap<>());
    }
  }

  /** Stages a resource frame. */
  void stage(DeltaDiscoveryResponse frame) {
    ResourceType type =
        ResourceType.ofTypeUrl(frame.getTypeUrl())
            .orElseThrow(
                () -> new IllegalArgumentException("not a resource frame: " + frame.getTypeUrl()));
    TreeMap<String, Message> held = byType.get(type);
    for (Resource resource : frame.getResourcesList()) {
      try {
        held.put(resource.getName(), decode(type, resource.getResource().getValue()));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalArgumentException(
            "cannot decode " + type.shortName() + " " + resource.getName(), e);
      }
    }
    frame.getRemovedResourcesList().forEach(held::remove);
  }

  /** The resources of one type, by name. */
  List<Message> of(ResourceType type) {
    return List.copyOf(byType.get(type).values());
  }

  @SuppressWarnings("unchecked")
  <T extends Message> List<T> of(ResourceType type, Class<T> messageClass) {
    return (List<T>) of(type);
  }

  Map<ResourceType, List<Message>> all() {
    Map<ResourceType, List<Message>> all = new EnumMap<>(ResourceType.class);
    byType.forEach((type, held) -> all.put(type, List.copyOf(held.values())));
    return all;
  }

  static Message decode(ResourceType type, ByteString bytes) throws InvalidProtocolBufferException {
    return switch (type) {
      case CLUSTER -> Cluster.parseFrom(bytes);
      case ENDPOINT -> ClusterLoadAssignment.parseFrom(bytes);
      case LISTENER -> Listener.parseFrom(bytes);
      case ROUTE -> RouteConfiguration.parseFrom(bytes);
      case SECRET -> Secret.parseFrom(bytes);
    };
  }
}
