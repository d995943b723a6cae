package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Interners;
import com.google.protobuf.util.Durations;
import com.google.rpc.Status;
import dev.fairlead.xds.cache.Answer.Holds;
import dev.fairlead.xds.cache.Answer.RejectedGone;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Answer.Standing;
import dev.fairlead.xds.cache.DeltaSubscription;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.SotwSubscription;
import dev.fairlead.xds.server.StreamState.SotwRequest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One stream's state, driven as the ADS service drives it: requests in, subscriptions out, the
 * cache's answers in.
 */
class StreamStateTest {

  private static final String FLEET = "default/edge";

  private final ResourceSets sets = new ResourceSets(Interners.newWeakInterner());
  private final StreamState stream = new StreamState(7, Clock.systemUTC());

  @Test
  void theNodeOfTheFirstRequestNamesTheStreamForGood() {
    assertThat(stream.status()).isEmpty();
    assertThat(
            stream.request(
                DiscoveryRequest.newBuilder()
                    .setTypeUrl("type.googleapis.com/unknown")
                    .setNode(node("n1", FLEET))
                    .build(),
                sets,
                0))
        .as("a type Fairlead does not serve")
        .isEmpty();

    stream.request(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(ResourceType.CLUSTER.typeUrl())
            .setNode(node("n2", "other"))
            .build(),
        sets,
        0);

    assertThat(stream.status())
        .hasValueSatisfying(
            status -> {
              assertThat(status.streamId()).isEqualTo(7);
              assertThat(status.nodeId()).isEqualTo("n1");
              assertThat(status.fleet()).isEqualTo(FLEET);
              assertThat(status.delta()).isFalse();
            });
    assertThat(stream.asks(ResourceType.CLUSTER, false)).isTrue();
    assertThat(stream.asks(ResourceType.CLUSTER, true)).isFalse();
    assertThat(stream.asks(ResourceType.ENDPOINT, false)).isFalse();
  }

  @Test
  void aNamedTypeKeepsOneSharedSetOfNamesAndSaysWhichAreNew() {
    SotwRequest first = stream.request(eds("", "", "a", "b"), sets, 0).orElseThrow();
    SotwRequest same = stream.request(eds("", "", "b", "a"), sets, 0).orElseThrow();
    SotwRequest more = stream.request(eds("", "", "a", "b", "c"), sets, 0).orElseThrow();

    assertThat(first.firstOfType()).isTrue();
    assertThat(same.firstOfType()).isFalse();
    assertThat(same.names()).isSameAs(first.names());
    assertThat(same.addedNames()).isEmpty();
    assertThat(more.addedNames()).containsExactly("c");
    assertThat(sets.of(List.of("c", "b", "a"))).isSameAs(more.names());
  }

  @Test
  void theSubscriptionCarriesWhatTheStreamHoldsAndItsRejection() {
    SotwRequest asked = stream.request(eds("", "", "a", "b"), sets, 0).orElseThrow();
    stream.watching(ResourceType.ENDPOINT, 3);
    stream.watching(ResourceType.ENDPOINT, 5);
    Response sent = response(ResourceType.ENDPOINT, "1-a", 4, 11, endpoints("a"), endpoints("b"));
    stream.sent("0", sent);

    SotwRequest nack =
        stream
            .request(
                eds("1-0", "0", "a", "b").toBuilder()
                    .setErrorDetail(Status.newBuilder().setMessage("bad"))
                    .build(),
                sets,
                0)
            .orElseThrow();
    SotwSubscription subscription = stream.subscription(nack, true);

    assertThat(nack.rejectedVersion()).hasValue("1-a");
    assertThat(nack.rejectionsChanged()).isTrue();
    assertThat(subscription.names()).isSameAs(asked.names());
    assertThat(subscription.heldAsOf()).isEqualTo(11);
    assertThat(subscription.heldChange()).as("followed from the first watch").isEqualTo(3);
    assertThat(subscription.rejection()).hasValue(List.of("a", "b"));
    assertThat(subscription.resendEndpoints()).isTrue();
    assertThat(subscription.requestVersion()).isEqualTo("1-0");
    assertThat(
            stream
                .subscription(stream.request(cds("", ""), sets, 0).orElseThrow(), true)
                .resendEndpoints())
        .as("only endpoints wait for clusters")
        .isFalse();
  }

  @Test
  void anAckOfANamedResponseClearsARejectionOnlyIfItCarriedEveryRejectedResource() {
    stream.request(eds("", "", "a", "b"), sets, 0);
    stream.sent("0", response(ResourceType.ENDPOINT, "1-a", 1, 1, endpoints("a")));
    stream.request(
        eds("", "0", "a", "b").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("bad"))
            .build(),
        sets,
        0);
    stream.sent("1", response(ResourceType.ENDPOINT, "2-b", 2, 2, endpoints("b")));

    SotwRequest ackOfB = stream.request(eds("2-b", "1", "a", "b"), sets, 0).orElseThrow();
    assertThat(ackOfB.rejectionsChanged()).isFalse();
    assertThat(stream.rejecting()).isTrue();

    stream.sent("2", response(ResourceType.ENDPOINT, "3-c", 3, 3, endpoints("a")));
    SotwRequest ackOfA = stream.request(eds("3-c", "2", "a", "b"), sets, 0).orElseThrow();
    assertThat(ackOfA.rejectionsChanged()).isTrue();
    assertThat(stream.rejecting()).isFalse();
    assertThat(stream.status().orElseThrow().acked(ResourceType.ENDPOINT)).hasValue("3-c");
  }

  @Test
  void anAckGivesTheConvergenceTimeOfTheFirstChangeItCarriedOnce() {
    stream.request(cds("", ""), sets, 0);
    stream.watching(ResourceType.CLUSTER, 0);
    stream.sent(
        "0",
        new Response(ResourceType.CLUSTER, "1-a", List.of(), List.of(), 1, 1_000, -1, List.of()));

    assertThat(stream.request(cds("1-a", "0"), sets, 5_000).orElseThrow().convergedNanos())
        .isEqualTo(4_000);
    stream.sent(
        "1", new Response(ResourceType.CLUSTER, "1-a", List.of(), List.of(), 1, -1, -1, List.of()));
    assertThat(stream.request(cds("1-a", "1"), sets, 9_000).orElseThrow().convergedNanos())
        .isEqualTo(-1);
  }

  @Test
  void holdingTheCurrentVersionAgainClearsARejectionAndCountsAsSent() {
    stream.request(cds("", ""), sets, 0);
    stream.sent("0", response(ResourceType.CLUSTER, "1-a", 1, -1, cluster("a")));
    stream.request(cds("1-a", "0"), sets, 0);
    stream.sent("1", response(ResourceType.CLUSTER, "2-b", 2, -1, cluster("b")));
    stream.request(
        cds("1-a", "1").toBuilder().setErrorDetail(Status.newBuilder().setMessage("bad")).build(),
        sets,
        0);
    assertThat(stream.status().orElseThrow().sent(ResourceType.CLUSTER)).hasValue("2-b");

    assertThat(stream.noted(new Holds(ResourceType.CLUSTER, 3, Standing.UP_TO_DATE, -1, List.of())))
        .isFalse();
    assertThat(stream.rejecting()).isTrue();
    assertThat(
            stream.noted(
                new Holds(ResourceType.CLUSTER, 3, Standing.CURRENT_VERSION, -1, List.of())))
        .isTrue();

    assertThat(stream.rejecting()).isFalse();
    assertThat(stream.status().orElseThrow().sent(ResourceType.CLUSTER)).hasValue("1-a");
    assertThat(stream.status().orElseThrow().lastNacks()).containsKey(ResourceType.CLUSTER);
  }

  @Test
  void aStateOfTheWorldRejectionClearsWhenTheCacheSaysAllItsResourcesAreGone() {
    stream.request(eds("", "", "a", "b"), sets, 0);
    stream.sent("0", response(ResourceType.ENDPOINT, "1-a", 1, 1, endpoints("a"), endpoints("b")));
    stream.request(
        eds("", "0", "a", "b").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("bad"))
            .build(),
        sets,
        0);

    assertThat(stream.noted(new RejectedGone(ResourceType.ENDPOINT, List.of("a")))).isFalse();
    assertThat(stream.noted(new RejectedGone(ResourceType.ENDPOINT, List.of("a", "b")))).isTrue();
    assertThat(stream.rejecting()).isFalse();
  }

  @Test
  void aDeltaStreamRejectsPerResourceAndForgetsResourcesThatAreGone() {
    stream.request(delta(ResourceType.CLUSTER, "").setNode(node("n1", FLEET)).build(), sets, 0);
    stream.sent("0", response(ResourceType.CLUSTER, "1-a", 1, 5, cluster("a"), cluster("b")));
    DeltaSubscription afterSend = stream.subscription(ResourceType.CLUSTER);
    assertThat(afterSend.synced()).isEqualTo(5);
    assertThat(afterSend.owesFirstResponse()).isFalse();

    assertThat(
            stream
                .request(
                    delta(ResourceType.CLUSTER, "0")
                        .setErrorDetail(Status.newBuilder().setMessage("bad"))
                        .build(),
                    sets,
                    0)
                .orElseThrow()
                .rejectionsChanged())
        .isTrue();
    assertThat(stream.subscription(ResourceType.CLUSTER).rejected()).containsOnlyKeys("a", "b");
    assertThat(stream.status().orElseThrow().rejections().get(ResourceType.CLUSTER).resourceNames())
        .containsExactly("a", "b");

    assertThat(stream.noted(new RejectedGone(ResourceType.CLUSTER, List.of("a")))).isFalse();
    assertThat(stream.noted(new RejectedGone(ResourceType.CLUSTER, List.of("b")))).isTrue();
    assertThat(stream.rejecting()).isFalse();
    assertThat(stream.status().orElseThrow().delta()).isTrue();
  }

  @Test
  void aDeltaHoldsNoteAdvancesWhatTheCacheLooksAtNext() {
    stream.request(
        delta(ResourceType.ENDPOINT, "").addResourceNamesSubscribe("a").build(), sets, 0);

    stream.noted(new Holds(ResourceType.ENDPOINT, 4, Standing.WITHHELD, 9, List.of()));

    DeltaSubscription subscription = stream.subscription(ResourceType.ENDPOINT);
    assertThat(subscription.synced()).isEqualTo(9);
    assertThat(subscription.heldChange()).as("withheld: not up to date").isEqualTo(-1);
    stream.noted(new Holds(ResourceType.ENDPOINT, 4, Standing.UP_TO_DATE, 9, List.of()));
    assertThat(stream.subscription(ResourceType.ENDPOINT).heldChange()).isEqualTo(4);
  }

  private static DiscoveryRequest cds(String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(node("n1", FLEET))
        .setTypeUrl(ResourceType.CLUSTER.typeUrl())
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .build();
  }

  private static DiscoveryRequest eds(String version, String nonce, String... names) {
    return DiscoveryRequest.newBuilder()
        .setNode(node("n1", FLEET))
        .setTypeUrl(ResourceType.ENDPOINT.typeUrl())
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .addAllResourceNames(List.of(names))
        .build();
  }

  private static DeltaDiscoveryRequest.Builder delta(ResourceType type, String nonce) {
    return DeltaDiscoveryRequest.newBuilder().setTypeUrl(type.typeUrl()).setResponseNonce(nonce);
  }

  private static Response response(
      ResourceType type,
      String version,
      long change,
      long sequence,
      com.google.protobuf.Message... resources) {
    return new Response(
        type,
        version,
        java.util.Arrays.stream(resources)
            .map(resource -> EncodedResource.encode(type, resource))
            .toList(),
        List.of(),
        change,
        -1,
        sequence,
        List.of());
  }

  private static Cluster cluster(String name) {
    return Cluster.newBuilder().setName(name).setConnectTimeout(Durations.fromSeconds(1)).build();
  }

  private static ClusterLoadAssignment endpoints(String name) {
    return ClusterLoadAssignment.newBuilder().setClusterName(name).build();
  }
}
