package dev.fairlead.xds.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.List;
import org.junit.jupiter.api.Test;

class TypeResourcesTest {

  private final TypeResources resources = new TypeResources();

  @Test
  void changedSinceNamesEachChangedNameOnceInTheOrderOfItsLastChangeIncludingRemovals() {
    resources.put(cluster("a", 1));
    resources.put(cluster("b", 1));
    long seen = resources.sequence();
    resources.put(cluster("c", 1));
    resources.put(cluster("a", 2));
    resources.put(cluster("b", 1)); // same content: no change
    resources.remove("c");
    resources.remove("missing");

    assertThat(resources.changedSince(seen)).containsExactly("a", "c");
    assertThat(resources.changedSince(resources.sequence())).isEmpty();
    assertThat(resources.floor()).isZero();
  }

  @Test
  void oldRemovalsAreForgottenBeyondTheBoundAndTheFloorSaysSo() {
    resources.put(cluster("kept", 1));
    long before = resources.sequence();
    int removed = TypeResources.MIN_TOMBSTONES + 1;
    for (int i = 0; i < removed; i++) {
      resources.put(cluster("gone-" + i, 1));
      resources.remove("gone-" + i);
    }

    assertThat(resources.floor())
        .as("a stream as old as 'before' must look at everything")
        .isGreaterThan(before);
    assertThat(resources.changedSince(resources.floor()))
        .hasSizeLessThanOrEqualTo(TypeResources.MIN_TOMBSTONES)
        .contains("gone-" + (removed - 1));
    resources.put(cluster("gone-" + (removed - 1), 2));
    assertThat(resources.changedSince(resources.sequence() - 1))
        .containsExactly("gone-" + (removed - 1));
  }

  @Test
  void aSubsetAskedForAgainWithTheSameNamesIsOneListUntilAChange() {
    resources.put(cluster("b", 1));
    resources.put(cluster("a", 1));
    java.util.Set<String> names = java.util.Set.of("a", "b", "missing");

    List<EncodedResource> first = resources.subset(names);
    assertThat(resources.subset(names)).isSameAs(first);
    assertThat(first).extracting(EncodedResource::name).containsExactly("a", "b");
    assertThat(resources.subset(java.util.Set.of("a", "b", "missing")))
        .as("other names, equal or not: looked up")
        .isNotSameAs(first)
        .isEqualTo(first);

    resources.put(cluster("a", 2));
    assertThat(resources.subset(names))
        .isNotSameAs(first)
        .extracting(EncodedResource::name)
        .containsExactly("a", "b");
    assertThat(resources.subset(names).get(0).version()).isNotEqualTo(first.get(0).version());
  }

  @Test
  void theSortedListIsRebuiltAfterAChange() {
    resources.put(cluster("b", 1));
    resources.put(cluster("a", 1));
    assertThat(resources.all()).extracting(EncodedResource::name).containsExactly("a", "b");
    resources.remove("a");
    assertThat(resources.all()).extracting(EncodedResource::name).containsExactly("b");
  }

  private static EncodedResource cluster(String name, int timeoutSeconds) {
    return EncodedResource.encode(
        ResourceType.CLUSTER,
        Cluster.newBuilder()
            .setName(name)
            .setConnectTimeout(Durations.fromSeconds(timeoutSeconds))
            .build());
  }
}
