package dev.fairlead.bench;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resources of a state as an Envoy of the fleet should end up holding them: per type, name to
 * deterministic encoding. Two snapshots give the frames that turn a peer's resources from one into
 * the other, and the transitions every client must go through. Immutable.
 */
record ResourceSnapshot(Map<ResourceType, Map<String, ByteString>> encoded) {

  static final ResourceSnapshot EMPTY = new ResourceSnapshot(new EnumMap<>(ResourceType.class));

  ResourceSnapshot {
    Map<ResourceType, Map<String, ByteString>> copy = new EnumMap<>(ResourceType.class);
    for (ResourceType type : ResourceType.values()) {
      copy.put(
          type,
          Collections.unmodifiableMap(new LinkedHashMap<>(encoded.getOrDefault(type, Map.of()))));
    }
    encoded = Collections.unmodifiableMap(copy);
  }

  static ResourceSnapshot of(Map<ResourceType, List<Message>> resources) {
    Map<ResourceType, Map<String, ByteString>> encoded = new EnumMap<>(ResourceType.class);
    resources.forEach(
        (type, messages) -> {
          Map<String, ByteString> byName = new LinkedHashMap<>();
          messages.forEach(
              message ->
                  byName.put(Resources.getResourceName(message), deterministic(type, message)));
          encoded.put(type, byName);
        });
    return new ResourceSnapshot(encoded);
  }

  /** This snapshot with one resource replaced (or added). */
  ResourceSnapshot with(ResourceType type, Message resource) {
    Map<ResourceType, Map<String, ByteString>> copy = new EnumMap<>(encoded);
    Map<String, ByteString> ofType = new LinkedHashMap<>(encoded.get(type));
    ofType.put(Resources.getResourceName(resource), deterministic(type, resource));
    copy.put(type, ofType);
    return new ResourceSnapshot(copy);
  }

  int size() {
    return encoded.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * The serialized size of every resource, packed in an {@code Any}: what one full push carries per
   * client.
   */
  long anyBytes() {
    long bytes = 0;
    for (ResourceType type : ResourceType.values()) {
      for (ByteString value : encoded.get(type).values()) {
        bytes +=
            Any.newBuilder().setTypeUrl(type.typeUrl()).setValue(value).build().getSerializedSize();
      }
    }
    return bytes;
  }

  /**
   * What a client holding {@code before} must receive (new fingerprints) or drop ({@link
   * Fingerprint#ABSENT}).
   */
  List<Transition> transitionsFrom(ResourceSnapshot before) {
    List<Transition> transitions = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      Map<String, ByteString> old = before.encoded.get(type);
      Map<String, ByteString> now = encoded.get(type);
      now.forEach(
          (name, bytes) -> {
            if (!bytes.equals(old.get(name))) {
              transitions.add(new Transition(type, name, Fingerprint.of(bytes)));
            }
          });
      old.keySet().stream()
          .filter(name -> !now.containsKey(name))
          .forEach(name -> transitions.add(new Transition(type, name, Fingerprint.ABSENT)));
    }
    return transitions;
  }

  /**
   * Resource frames (one per type that changed) that turn {@code before} into this snapshot, then a
   * commit.
   */
  List<DeltaDiscoveryResponse> framesFrom(ResourceSnapshot before) {
    List<DeltaDiscoveryResponse> frames = new ArrayList<>();
    for (ResourceType type : ResourceType.values()) {
      Map<String, ByteString> old = before.encoded.get(type);
      DeltaDiscoveryResponse.Builder frame =
          DeltaDiscoveryResponse.newBuilder().setTypeUrl(type.typeUrl());
      encoded
          .get(type)
          .forEach(
              (name, bytes) -> {
                if (!bytes.equals(old.get(name))) {
                  frame.addResources(
                      Resource.newBuilder()
                          .setName(name)
                          .setResource(
                              Any.newBuilder().setTypeUrl(type.typeUrl()).setValue(bytes)));
                }
              });
      old.keySet().stream()
          .filter(name -> !encoded.get(type).containsKey(name))
          .forEach(frame::addRemovedResources);
      if (frame.getResourcesCount() > 0 || frame.getRemovedResourcesCount() > 0) {
        frames.add(frame.build());
      }
    }
    frames.add(ControlFrames.command(ControlFrames.COMMIT));
    return frames;
  }

  /** One resource a client must come to hold with {@code fingerprint}, or drop. */
  record Transition(ResourceType type, String name, long fingerprint) {}

  /** The deterministic encoding Fairlead's cache sends (map fields in key order). */
  static ByteString deterministic(ResourceType type, Message message) {
    return EncodedResource.encode(type, message).any().getValue();
  }
}
