package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static dev.fairlead.xds.server.XdsTestResources.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Responses wait for their stream and for the server-wide send budget ({@link SendBudget}): every
 * stream still gets everything, in order, however small the budget, and a proxy that stops reading
 * holds the others up only until its share of the budget goes stale.
 */
class AdsFlowControlTest {

  private static final String FLEET = "default/edge";
  private static final String CDS = ResourceType.CLUSTER.typeUrl();

  /**
   * Smaller than one response of {@link #clusters}: every stream's response waits for the one
   * before it.
   */
  @RegisterExtension
  final TestXdsServer server = new TestXdsServer(Clock.systemUTC(), this::budget);

  private SendBudget budget;

  private SendBudget budget() {
    budget = new SendBudget(4 << 10, TimeUnit.MILLISECONDS.toNanos(300));
    return budget;
  }

  private static List<Cluster> clusters(int count, int timeoutSeconds) {
    return IntStream.range(0, count)
        .mapToObj(i -> cluster("cluster-" + i, timeoutSeconds))
        .toList();
  }

  @Test
  void everyStreamGetsEveryResponseThroughABudgetSmallerThanOneResponse() throws Exception {
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, clusters(500, 1)));
    List<AdsTestClient> sotw = new ArrayList<>();
    List<AdsTestClient> delta = new ArrayList<>();
    try {
      for (int i = 0; i < 10; i++) {
        AdsTestClient client = new AdsTestClient(server.port());
        client.send(
            DiscoveryRequest.newBuilder()
                .setNode(node("sotw-" + i, FLEET))
                .setTypeUrl(CDS)
                .build());
        sotw.add(client);
        AdsTestClient deltaClient = new AdsTestClient(server.port());
        deltaClient.send(
            DeltaDiscoveryRequest.newBuilder()
                .setNode(node("delta-" + i, FLEET))
                .setTypeUrl(CDS)
                .build());
        delta.add(deltaClient);
      }
      List<DiscoveryResponse> first = new ArrayList<>();
      for (AdsTestClient client : sotw) {
        DiscoveryResponse response = client.next();
        assertThat(response.getResourcesCount()).isEqualTo(500);
        assertThat(response.getSerializedSize()).isGreaterThan(4 << 10);
        client.send(
            DiscoveryRequest.newBuilder()
                .setTypeUrl(CDS)
                .setVersionInfo(response.getVersionInfo())
                .setResponseNonce(response.getNonce())
                .build());
        first.add(response);
      }
      for (AdsTestClient client : delta) {
        DeltaDiscoveryResponse response = client.nextDelta();
        assertThat(response.getResourcesCount()).isEqualTo(500);
        client.send(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(CDS)
                .setResponseNonce(response.getNonce())
                .build());
      }

      server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, clusters(500, 2)));

      String version = server.cache().version(FLEET, ResourceType.CLUSTER).orElseThrow();
      for (AdsTestClient client : sotw) {
        DiscoveryResponse response = client.next();
        assertThat(response.getVersionInfo())
            .isEqualTo(version)
            .isNotEqualTo(first.get(0).getVersionInfo());
        assertThat(response.getResourcesCount()).isEqualTo(500);
      }
      for (AdsTestClient client : delta) {
        DeltaDiscoveryResponse response = client.nextDelta();
        assertThat(response.getSystemVersionInfo()).isEqualTo(version);
        assertThat(response.getResourcesCount()).isEqualTo(500);
      }
    } finally {
      for (AdsTestClient client : sotw) {
        client.close();
      }
      for (AdsTestClient client : delta) {
        client.close();
      }
    }
  }

  @Test
  void aProxyThatStopsReadingHoldsTheOthersUpOnlyUntilItsShareGoesStale() throws Exception {
    // Larger than the client's HTTP/2 window (1 MiB): a stream that reads nothing stays unready for
    // good.
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, clusters(40_000, 1)));
    ManagedChannel stuckChannel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      ClientCall<DiscoveryRequest, DiscoveryResponse> stuck =
          stuckChannel.newCall(
              AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod(),
              CallOptions.DEFAULT);
      stuck.start(new ClientCall.Listener<>() {}, new Metadata());
      stuck.sendMessage(
          DiscoveryRequest.newBuilder().setNode(node("stuck", FLEET)).setTypeUrl(CDS).build());
      // It never calls request(n): nothing it is sent is read beyond the flow-control window, and
      // the bytes written to it hold the budget.
      await().atMost(Duration.ofSeconds(10)).until(() -> budget.usedBytes() > 1 << 20);

      try (AdsTestClient reader = new AdsTestClient(server.port())) {
        reader.send(
            DiscoveryRequest.newBuilder().setNode(node("reader", FLEET)).setTypeUrl(CDS).build());
        assertThat(reader.next().getResourcesCount()).isEqualTo(40_000);
      }
    } finally {
      stuckChannel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
