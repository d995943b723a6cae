package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fairlead.allocation.v1.AllocatorGrpc;
import dev.fairlead.allocation.v1.GetRequest;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.RawMessages;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A gRPC allocation request whose bytes are not the method's message, on every method, gets
 * INVALID_ARGUMENT naming the message ({@link UndecodableRequests}), not gRPC's UNKNOWN, and no
 * exception's text reaches the log; the next call is answered by the allocator as usual. No API
 * server is needed: nothing here gets as far as one.
 */
class AllocationGrpcBadRequestTest {

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @Test
  void aRequestThatDoesNotDecodeIsInvalidArgumentNamingTheMessage() throws Exception {
    try (KubernetesClient client =
            new KubernetesClientBuilder()
                .withConfig(new ConfigBuilder().withMasterUrl("https://127.0.0.1:1").build())
                .build();
        EndpointAllocator allocator =
            new EndpointAllocator(
                client,
                (ns, name) -> Optional.empty(),
                UnallocatedStatus.DEFAULT,
                new SimpleMeterRegistry(),
                Clock.systemUTC(),
                8,
                AllocatorRealApiServerIT.MAX_TTL,
                AllocationTokens.none());
        AllocationServer server =
            AllocationServer.start(allocator, "127.0.0.1", 0, 0, AllocatorSecurity.plaintext())) {
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      for (MethodDescriptor<?, ?> method :
          List.of(
              AllocatorGrpc.getAllocateMethod(),
              AllocatorGrpc.getReleaseMethod(),
              AllocatorGrpc.getGetMethod(),
              AllocatorGrpc.getListMethod())) {
        MethodDescriptor<byte[], byte[]> raw = RawMessages.of(method);
        String message = method.getBareMethodName() + "Request";
        for (byte[] garbage :
            List.of(
                new byte[] {0, 1, 2, 3},
                new byte[] {(byte) 0xff, (byte) 0xff},
                new byte[] {10, 2, (byte) 0xc3, (byte) 0x28})) {
          assertThatThrownBy(
                  () -> ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT, garbage))
              .isInstanceOfSatisfying(
                  StatusRuntimeException.class,
                  e -> {
                    assertThat(e.getStatus().getCode())
                        .as(e.getStatus().toString())
                        .isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription())
                        .isEqualTo(
                            "request: not a valid " + message + " (protobuf decoding failed)");
                  });
        }
      }
      assertThatThrownBy(
              () ->
                  AllocatorGrpc.newBlockingStub(channel)
                      .get(
                          GetRequest.newBuilder()
                              .setNamespace("Not A Namespace")
                              .setName("x")
                              .build()))
          .as("a good call after them is answered by the allocator")
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
      channel.shutdownNow();
      logs.assertNoLineContains("an exception's text", "InvalidProtocolBufferException");
    }
  }
}
