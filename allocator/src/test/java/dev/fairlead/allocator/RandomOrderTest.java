package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class RandomOrderTest {

  @Test
  void everyElementComesExactlyOnceWhateverTheSize() {
    for (int n = 0; n <= 64; n++) {
      List<Integer> list = IntStream.range(0, n).boxed().toList();
      for (int round = 0; round < 20; round++) {
        List<Integer> seen = new ArrayList<>();
        RandomOrder.of(list).forEach(seen::add);
        assertThat(seen).as("n=%d", n).containsExactlyInAnyOrderElementsOf(list);
      }
    }
  }

  @Test
  void ordersDifferFromCallToCall() {
    List<Integer> list = IntStream.range(0, 1000).boxed().toList();
    Set<Integer> firsts = new HashSet<>();
    for (int round = 0; round < 50; round++) {
      firsts.add(RandomOrder.of(list).iterator().next());
    }
    assertThat(firsts).as("distinct first elements in 50 orders of 1000").hasSizeGreaterThan(10);
  }
}
