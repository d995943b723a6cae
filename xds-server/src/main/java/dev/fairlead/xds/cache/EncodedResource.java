package dev.fairlead.xds.cache;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One Envoy resource, encoded once: its name, the packed {@link Any} every stream sends as is, and
 * its version — a content hash of the deterministic encoding, so every replica and every restart
 * gives the same content the same version.
 *
 * <p>{@code hashHigh}/{@code hashLow} are the first 128 bits of that hash, kept as numbers so that
 * a set of resources can have an order-independent version computed incrementally (see {@link
 * TypeResources}). {@code source} is the message it was encoded from, so an equal message handed
 * over again is recognised without encoding it. {@code forXdsClientsOnly} marks a Listener with an
 * {@code api_listener}: gRPC's xDS client resolves through it, while Envoy can only take one from
 * its bootstrap and warns about every one it is sent. {@code deltaResource} is the resource as a
 * delta response carries it (name, version, the same {@code Any}), built once and shared by every
 * delta stream. Immutable.
 */
public record EncodedResource(
    String name,
    Any any,
    String version,
    long hashHigh,
    long hashLow,
    Message source,
    boolean forXdsClientsOnly,
    Resource deltaResource) {

  /**
   * Encodes a resource deterministically (map fields in key order) and hashes the bytes with
   * SHA-256.
   *
   * @throws IllegalArgumentException if {@code resource} is not a named resource of {@code type}
   */
  public static EncodedResource encode(ResourceType type, Message resource) {
    String name = type.name(resource);
    byte[] bytes = deterministicBytes(resource);
    MessageDigest sha256 = sha256();
    // The name is part of the hash, so equal contents under different names never share a
    // set-version term.
    sha256.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    sha256.update((byte) 0);
    byte[] digest = sha256.digest(bytes);
    ByteBuffer buffer = ByteBuffer.wrap(digest);
    long high = buffer.getLong();
    long low = buffer.getLong();
    Any any =
        Any.newBuilder().setTypeUrl(type.typeUrl()).setValue(ByteString.copyFrom(bytes)).build();
    boolean forXdsClientsOnly = resource instanceof Listener listener && listener.hasApiListener();
    String version = HexFormat.of().formatHex(digest, 0, 16);
    Resource deltaResource =
        Resource.newBuilder().setName(name).setVersion(version).setResource(any).build();
    return new EncodedResource(
        name, any, version, high, low, resource, forXdsClientsOnly, deltaResource);
  }

  /**
   * This encoding if {@code resource} is the message it came from (or equal to it), else a new
   * encoding.
   */
  public EncodedResource reuseOrEncode(ResourceType type, Message resource) {
    return resource == source || resource.equals(source) ? this : encode(type, resource);
  }

  private static byte[] deterministicBytes(Message message) {
    byte[] bytes = new byte[message.getSerializedSize()];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    out.useDeterministicSerialization();
    try {
      message.writeTo(out);
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
