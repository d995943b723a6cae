package dev.fairlead.testkit;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * gRPC messages as the bytes on the wire, for tests that send what no generated stub would (bytes
 * that are not the method's message): {@code method.toBuilder(RawMessages.MARSHALLER,
 * RawMessages.MARSHALLER).build()}.
 */
public final class RawMessages {

  /** Sends a message's bytes as they are, and reads an answer's bytes as they came. */
  public static final MethodDescriptor.Marshaller<byte[]> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private RawMessages() {}

  /** {@code method}, sending and receiving raw bytes. */
  public static MethodDescriptor<byte[], byte[]> of(MethodDescriptor<?, ?> method) {
    return method.toBuilder(MARSHALLER, MARSHALLER).build();
  }
}
