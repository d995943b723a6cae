package dev.fairlead.xds.server;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;

/**
 * Hands java-control-plane's server the {@link Any} the cache already encoded, unchanged, so a resource is
 * serialized once per version however many streams receive it. Anything else (which Fairlead's cache never
 * produces) is packed as usual. Stateless and thread-safe.
 */
final class EncodedOnceSerializer implements ProtoResourcesSerializer {

  @Override
  public Any serialize(Message resource, Resources.ApiVersion apiVersion) {
    return resource instanceof Any encoded ? encoded : Any.pack(resource);
  }
}
