package dev.fairlead.xds.server;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import java.io.InputStream;

/**
 * A request message as it came off a stream: decoded, or not decodable.
 *
 * <p>gRPC decodes a request with the method's marshaller before any handler sees it, and answers a marshaller that
 * throws with {@code UNKNOWN: Application error processing RPC}, which tells a proxy nothing. The ADS methods are
 * served with {@link #marshaller}, whose decoding never throws, so that {@link AdsService} answers a request it
 * cannot decode with INVALID_ARGUMENT on that stream and leaves every other stream alone. The size of what is decoded
 * is bounded by the server's maximum inbound message size before this sees it.
 *
 * @param <Q> the request message type
 */
sealed interface Decoded<Q> {

  /** A request decoded. */
  record Request<Q>(Q message) implements Decoded<Q> {
  }

  /**
   * Bytes that are not a request of the method's type.
   *
   * @param problem the decoder's account, for the server's log only: it may quote decoder internals
   */
  record Undecodable<Q>(String problem) implements Decoded<Q> {
  }

  /** Decodes requests of {@code prototype}'s type as {@link Decoded} values; encodes decoded ones (clients, tests). */
  static <Q extends Message> MethodDescriptor.Marshaller<Decoded<Q>> marshaller(Q prototype) {
    @SuppressWarnings("unchecked")
    Parser<Q> parser = (Parser<Q>) prototype.getParserForType();
    return new MethodDescriptor.Marshaller<>() {
      @Override
      public InputStream stream(Decoded<Q> value) {
        if (value instanceof Request<Q> request) {
          return ((Message) request.message()).toByteString().newInput();
        }
        throw new IllegalArgumentException("an undecodable request cannot be sent");
      }

      @Override
      public Decoded<Q> parse(InputStream stream) {
        try {
          return new Request<>(parser.parseFrom(stream));
        } catch (InvalidProtocolBufferException e) {
          return new Undecodable<>(e.getMessage());
        }
      }
    };
  }
}
