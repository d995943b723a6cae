package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Interners;
import com.google.protobuf.util.Durations;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.DeltaSubscription;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.Proxy;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeltaStateTest {

  private static final Proxy PROXY = new Proxy("n1", "default/edge", Audience.ENVOY);

  private final ResourceSets sets = new ResourceSets(Interners.newWeakInterner());
  private final DeltaState state = new DeltaState();

  @Test
  void aReconnectingClientHoldsWhatItSaysUntilItsFirstAnswer() {
    state.subscriptionChanged(
        ResourceType.ENDPOINT,
        DeltaDiscoveryRequest.newBuilder()
            .putInitialResourceVersions("a", "v1")
            .putInitialResourceVersions("b", "v2")
            .addResourceNamesSubscribe("c")
            .build(),
        sets);

    DeltaSubscription before = subscription(ResourceType.ENDPOINT);
    assertThat(before.initialVersions()).containsOnly(Map.entry("a", "v1"), Map.entry("b", "v2"));
    assertThat(before.held()).containsExactlyInAnyOrder("a", "b");
    assertThat(before.subscribed()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(before.owesFirstResponse()).isTrue();
    assertThat(before.synced()).isEqualTo(-1);

    state.holds(7, List.of());

    DeltaSubscription after = subscription(ResourceType.ENDPOINT);
    assertThat(after.initialVersions()).isEmpty();
    assertThat(after.synced()).isEqualTo(7);
    assertThat(after.held()).isSameAs(before.held());
  }

  @Test
  void subscribingAgainForgetsTheVersionItReconnectedWithAndIsRecheckedOnceSynced() {
    state.subscriptionChanged(
        ResourceType.ENDPOINT,
        DeltaDiscoveryRequest.newBuilder()
            .putInitialResourceVersions("a", "v1")
            .putInitialResourceVersions("b", "v1")
            .build(),
        sets);
    state.subscriptionChanged(
        ResourceType.ENDPOINT,
        DeltaDiscoveryRequest.newBuilder().addResourceNamesSubscribe("a").build(),
        sets);

    assertThat(subscription(ResourceType.ENDPOINT).initialVersions()).containsOnlyKeys("b");
    assertThat(subscription(ResourceType.ENDPOINT).recheck())
        .as("before the first answer all is looked at")
        .isEmpty();

    state.holds(1, List.of());
    state.subscriptionChanged(
        ResourceType.ENDPOINT,
        DeltaDiscoveryRequest.newBuilder().addResourceNamesSubscribe("d").build(),
        sets);
    assertThat(subscription(ResourceType.ENDPOINT).recheck()).containsExactly("d");

    state.holds(2, List.of("d"));
    assertThat(subscription(ResourceType.ENDPOINT).recheck()).isEmpty();
  }

  @Test
  void aRejectionClearsWhenEveryRejectedResourceIsAcceptedUnsubscribedOrGone() {
    Response sent = response("1", cluster("a", 1), cluster("b", 1));
    state.sent("0", sent);
    assertThat(subscription(ResourceType.CLUSTER).owesFirstResponse()).isFalse();

    assertThat(state.answered("0")).hasValue(sent);
    assertThat(state.answered("0")).as("answered once").isEmpty();
    assertThat(state.rejected(sent)).containsExactly("a", "b");
    assertThat(subscription(ResourceType.CLUSTER).rejected()).containsOnlyKeys("a", "b");

    assertThat(state.forget(List.of("a"))).as("b still rejected").isFalse();
    assertThat(
            state.subscriptionChanged(
                ResourceType.CLUSTER,
                DeltaDiscoveryRequest.newBuilder().addResourceNamesUnsubscribe("b").build(),
                sets))
        .isTrue();
    assertThat(subscription(ResourceType.CLUSTER).rejected()).isEmpty();
  }

  @Test
  void anAcceptedResponseIsHeldWithoutWhatItRemoved() {
    state.subscriptionChanged(
        ResourceType.CLUSTER,
        DeltaDiscoveryRequest.newBuilder().putInitialResourceVersions("old", "v0").build(),
        sets);
    Response sent =
        new Response(
            ResourceType.CLUSTER,
            "1",
            List.of(encode(cluster("a", 1))),
            List.of("old"),
            1,
            -1,
            3,
            List.of());
    state.sent("0", sent);

    assertThat(state.accepted(sent, sets)).as("nothing was rejected").isFalse();

    DeltaSubscription subscription = subscription(ResourceType.CLUSTER);
    assertThat(subscription.held()).containsExactly("a");
    assertThat(subscription.synced()).isEqualTo(3);
  }

  @Test
  void acceptingTheResourceItRejectedClearsTheRejection() {
    Response rejected = response("1", cluster("a", 1));
    state.sent("0", rejected);
    state.rejected(state.answered("0").orElseThrow());
    Response fixed = response("2", cluster("a", 2));
    state.sent("1", fixed);

    assertThat(state.accepted(state.answered("1").orElseThrow(), sets)).isTrue();
  }

  private DeltaSubscription subscription(ResourceType type) {
    return state.subscription(PROXY, type, -1);
  }

  private static Response response(String version, Cluster... clusters) {
    return new Response(
        ResourceType.CLUSTER,
        version,
        java.util.Arrays.stream(clusters).map(DeltaStateTest::encode).toList(),
        List.of(),
        1,
        -1,
        1,
        List.of());
  }

  private static EncodedResource encode(Cluster cluster) {
    return EncodedResource.encode(ResourceType.CLUSTER, cluster);
  }

  private static Cluster cluster(String name, int timeoutSeconds) {
    return Cluster.newBuilder()
        .setName(name)
        .setConnectTimeout(Durations.fromSeconds(timeoutSeconds))
        .build();
  }
}
