package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.Interners;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ResourceSetsTest {

  private final ResourceSets sets = new ResourceSets(Interners.newWeakInterner());

  @Test
  void equalSetsBuiltByDifferentStreamsAreOneInstance() {
    Set<String> one = sets.with(Set.of(), List.of("a", "b", "c"));
    Set<String> other =
        sets.without(sets.with(Set.of(), List.of("c", "b", "a", "d")), List.of("d"));

    assertThat(other).isSameAs(one).containsExactlyInAnyOrder("a", "b", "c");
  }

  @Test
  void theSetOfAListIsFoundAgainWhateverTheOrderAndAListWithOtherNamesIsNot() {
    Set<String> one = sets.of(List.of("a", "b", "c"));

    assertThat(sets.of(List.of("c", "a", "b"))).isSameAs(one);
    assertThat(sets.of(List.of("a", "b", "d")))
        .isNotSameAs(one)
        .containsExactlyInAnyOrder("a", "b", "d");
    assertThat(sets.of(List.of("a", "b"))).containsExactlyInAnyOrder("a", "b");
    assertThat(sets.of(List.of("a", "a", "b", "c"))).as("duplicates listed").isSameAs(one);
  }

  @Test
  void nothingNewOrNothingGoneKeepsTheSameInstance() {
    Set<String> set = sets.with(Set.of(), List.of("a", "b"));

    assertThat(sets.with(set, List.of("b"))).isSameAs(set);
    assertThat(sets.without(set, List.of("x"))).isSameAs(set);
    assertThat(sets.without(set, List.of("a", "x"))).containsExactly("b");
    assertThat(sets.with(set, List.of())).isSameAs(set);
  }

  @Test
  void namesAreInterned() {
    String name = new String("cluster-1");
    String same = new String("cluster-1");

    Set<String> set = sets.with(Set.of(), List.of(name));

    assertThat(sets.name(same)).isSameAs(set.iterator().next());
  }
}
