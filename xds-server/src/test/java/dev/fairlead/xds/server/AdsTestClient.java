package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw ADS client for protocol tests: one state-of-the-world or delta stream to 127.0.0.1, every
 * response queued in arrival order. Thread-safe for one test thread plus gRPC's callback thread.
 */
final class AdsTestClient implements AutoCloseable {

  private static final long RESPONSE_TIMEOUT_SECONDS = 10;

  private final ManagedChannel channel;
  private final BlockingQueue<Object> responses = new LinkedBlockingQueue<>();
  private StreamObserver<DiscoveryRequest> sotw;
  private StreamObserver<DeltaDiscoveryRequest> delta;

  AdsTestClient(int port) {
    this(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build());
  }

  /** A client on {@code channel}, which it shuts down when closed. */
  AdsTestClient(ManagedChannel channel) {
    this.channel = channel;
  }

  static Node node(String id, String fleet) {
    return Node.newBuilder().setId(id).setCluster(fleet).build();
  }

  void send(DiscoveryRequest request) {
    if (sotw == null) {
      sotw =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .streamAggregatedResources(new Collector<>());
    }
    sotw.onNext(request);
  }

  void send(DeltaDiscoveryRequest request) {
    if (delta == null) {
      delta =
          AggregatedDiscoveryServiceGrpc.newStub(channel)
              .deltaAggregatedResources(new Collector<>());
    }
    delta.onNext(request);
  }

  DiscoveryResponse next() {
    return (DiscoveryResponse) take();
  }

  DeltaDiscoveryResponse nextDelta() {
    return (DeltaDiscoveryResponse) take();
  }

  private Object take() {
    try {
      Object response = responses.poll(RESPONSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      assertThat(response).as("a response within %ss", RESPONSE_TIMEOUT_SECONDS).isNotNull();
      if (response instanceof Throwable error) {
        throw new AssertionError("stream failed", error);
      }
      return response;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (sotw != null) {
      sotw.onCompleted();
    }
    if (delta != null) {
      delta.onCompleted();
    }
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private final class Collector<T> implements StreamObserver<T> {
    @Override
    public void onNext(T value) {
      responses.add(value);
    }

    @Override
    public void onError(Throwable t) {
      responses.add(t);
    }

    @Override
    public void onCompleted() {}
  }
}
