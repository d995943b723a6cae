package dev.fairlead.bench;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * What a client remembers of a resource's content: the length and CRC-32C of its deterministic Java
 * encoding, never 0 (0 means "not held"). Cheap enough for a thousand clients to take of every
 * resource they receive (see {@link CanonicalFingerprints} for servers that encode differently).
 */
final class Fingerprint {

  static final long ABSENT = 0;

  private Fingerprint() {}

  static long of(ByteString bytes) {
    CRC32C crc = new CRC32C();
    for (ByteBuffer buffer : bytes.asReadOnlyByteBufferList()) {
      crc.update(buffer);
    }
    return ((long) (bytes.size() + 1) << 32) | crc.getValue();
  }
}
