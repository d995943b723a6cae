package dev.fairlead.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.fairlead.xds.cache.ResourceType;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link Fingerprint} of a received resource's deterministic Java encoding, whatever encoding
 * the server sent. Go's protobuf writes fields in struct order rather than field-number order, so
 * go-control-plane's bytes differ from Java's for equal content; the first client to receive an
 * encoding decodes and re-encodes it, and every other client finds the answer here, so the cost is
 * once per resource version, not once per client.
 *
 * <p>Thread-safe (a {@link ConcurrentHashMap}); shared by every client of a fleet.
 */
final class CanonicalFingerprints {

  private final ConcurrentHashMap<Key, Long> canonical = new ConcurrentHashMap<>();

  long of(ResourceType type, int id, ByteString received) {
    Key key = new Key(type, id, Fingerprint.of(received));
    Long known = canonical.get(key);
    if (known != null) {
      return known;
    }
    try {
      long computed =
          Fingerprint.of(
              ResourceSnapshot.deterministic(type, StagedResources.decode(type, received)));
      canonical.putIfAbsent(key, computed);
      return computed;
    } catch (InvalidProtocolBufferException e) {
      return key.fingerprint();
    }
  }

  private record Key(ResourceType type, int id, long fingerprint) {}
}
