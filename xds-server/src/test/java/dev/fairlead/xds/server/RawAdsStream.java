package dev.fairlead.xds.server;

import dev.fairlead.testkit.RawMessages;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An ADS stream that sends whatever bytes a test gives it, as messages of the SotW or delta method,
 * ignores the responses, and tells how the server ended it: what a proxy sending garbage looks like
 * to the server.
 */
final class RawAdsStream {

  private RawAdsStream() {}

  /**
   * Opens a stream on {@code channel}, sends each of {@code messages}, then (when {@code
   * halfClose}) ends its side, and awaits the status the server ends it with: OK when it completed
   * the stream.
   *
   * @throws TimeoutException when the server has not ended the stream within 10 s
   */
  static Status exchange(
      ManagedChannel channel, boolean delta, List<byte[]> messages, boolean halfClose)
      throws InterruptedException, TimeoutException {
    MethodDescriptor<?, ?> method =
        delta
            ? AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod()
            : AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod();
    MethodDescriptor<byte[], byte[]> raw = RawMessages.of(method);
    CompletableFuture<Status> end = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(raw, CallOptions.DEFAULT),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {}

              @Override
              public void onError(Throwable t) {
                end.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                end.complete(Status.OK);
              }
            });
    messages.forEach(requests::onNext);
    if (halfClose) {
      requests.onCompleted();
    }
    try {
      return end.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }
}
