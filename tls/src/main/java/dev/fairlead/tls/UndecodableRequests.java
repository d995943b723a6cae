package dev.fairlead.tls;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a gRPC request that cannot be decoded with INVALID_ARGUMENT instead of gRPC's {@code
 * UNKNOWN: Application error processing RPC}.
 *
 * <p>gRPC decodes a request with the method's marshaller before any handler runs, and closes the
 * call with UNKNOWN when that throws: the client learns nothing, and the answer is the one a fault
 * of the server gets. {@link #of} serves every method of a service with a marshaller that never
 * throws — it hands over the decoded request, or that there was none — and closes a call whose
 * request did not decode with INVALID_ARGUMENT ({@code request: not a valid <Message> …}), telling
 * the method's handler the call was cancelled, so it never runs on it. The failure itself goes to
 * the log at DEBUG only: it may quote the decoder's internals.
 *
 * <p>Every gRPC service Fairlead serves goes through it (xDS and allocation): on a stream, only the
 * stream whose request did not decode ends, and every other stream goes on. The size of what is
 * decoded is bounded by the server's maximum inbound message size before this sees it.
 *
 * <p>grpc-java offers no hook for this ({@code ServerInterceptors.useMarshalledMessages}
 * re-marshals but still lets a decoding failure escape as UNKNOWN), hence this class. Stateless;
 * each call's adapters are confined to it.
 */
public final class UndecodableRequests {

  private static final Logger LOG = LoggerFactory.getLogger(UndecodableRequests.class);

  private UndecodableRequests() {}

  /** A request off the wire: decoded, or the decoder's failure (for the server's log only). */
  private record Decoded<Q>(Q request, RuntimeException failure) {}

  /**
   * {@code service}, under the same names and schema, answering undecodable requests with
   * INVALID_ARGUMENT.
   */
  public static ServerServiceDefinition of(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor =
        ServiceDescriptor.newBuilder(original.getName())
            .setSchemaDescriptor(original.getSchemaDescriptor());
    List<ServerMethodDefinition<?, ?>> methods = new ArrayList<>();
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      ServerMethodDefinition<?, ?> decoding = decoding(method);
      descriptor.addMethod(decoding.getMethodDescriptor());
      methods.add(decoding);
    }
    ServerServiceDefinition.Builder rebound = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(rebound::addMethod);
    return rebound.build();
  }

  private static <Q, R> ServerMethodDefinition<Decoded<Q>, R> decoding(
      ServerMethodDefinition<Q, R> method) {
    MethodDescriptor<Q, R> original = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> requests = original.getRequestMarshaller();
    MethodDescriptor<Decoded<Q>, R> decoding =
        original.toBuilder(
                new MethodDescriptor.Marshaller<Decoded<Q>>() {
                  @Override
                  public InputStream stream(Decoded<Q> value) {
                    return requests.stream(value.request());
                  }

                  @Override
                  public Decoded<Q> parse(InputStream stream) {
                    try {
                      return new Decoded<>(requests.parse(stream), null);
                    } catch (RuntimeException e) {
                      return new Decoded<>(null, e);
                    }
                  }
                },
                original.getResponseMarshaller())
            .build();
    String type =
        requests instanceof MethodDescriptor.PrototypeMarshaller<Q> prototype
                && prototype.getMessagePrototype() != null
            ? prototype.getMessagePrototype().getClass().getSimpleName()
            : "request of " + original.getFullMethodName();
    return ServerMethodDefinition.create(
        decoding,
        (call, headers) -> {
          ServerCall.Listener<Q> handler =
              method.getServerCallHandler().startCall(new Adapter<Q, R>(call, original), headers);
          return new ServerCall.Listener<Decoded<Q>>() {
            private boolean refused;

            @Override
            public void onMessage(Decoded<Q> decoded) {
              if (refused) {
                return;
              }
              if (decoded.failure() == null) {
                handler.onMessage(decoded.request());
                return;
              }
              refused = true;
              LOG.debug(
                  "gRPC call {} refused: its request does not decode: {}",
                  original.getFullMethodName(),
                  decoded.failure().getMessage());
              call.close(
                  Status.INVALID_ARGUMENT.withDescription(
                      "request: not a valid " + type + " (protobuf decoding failed)"),
                  new Metadata());
              handler.onCancel();
            }

            @Override
            public void onHalfClose() {
              if (!refused) {
                handler.onHalfClose();
              }
            }

            @Override
            public void onCancel() {
              if (!refused) {
                handler.onCancel();
              }
            }

            @Override
            public void onComplete() {
              if (!refused) {
                handler.onComplete();
              }
            }

            @Override
            public void onReady() {
              if (!refused) {
                handler.onReady();
              }
            }
          };
        });
  }

  /**
   * The call as the method's handler sees it: its own method descriptor, everything else the
   * call's.
   */
  private static final class Adapter<Q, R> extends ServerCall<Q, R> {
    private final ServerCall<Decoded<Q>, R> call;
    private final MethodDescriptor<Q, R> method;

    Adapter(ServerCall<Decoded<Q>, R> call, MethodDescriptor<Q, R> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(R message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, R> getMethodDescriptor() {
      return method;
    }
  }
}
