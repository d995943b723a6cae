package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.allocation.v1.Selector;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CandidateChoiceTest {

  private static final Candidate EAST_GOLD = candidate("10.0.0.1", "east", "a");
  private static final Candidate EAST_PLAIN = candidate("10.0.0.2", "east", "b");
  private static final Candidate WEST_GOLD = candidate("10.0.0.3", "west", "c");
  private static final Candidate NO_ZONE = Candidate.of("10.0.0.4", 80);
  private static final Map<String, Map<String, String>> POD_LABELS =
      Map.of("a", Map.of("tier", "gold"), "b", Map.of(), "c", Map.of("tier", "gold", "team", "x"));
  private static final List<Candidate> ALL = List.of(EAST_GOLD, EAST_PLAIN, WEST_GOLD, NO_ZONE);

  @Test
  void anEmptySelectorTakesEveryFreeCandidateInTheGivenOrder() {
    CandidateChoice choice = choice(Selector.getDefaultInstance(), List.of(EAST_PLAIN));

    assertThat(list(choice.among(ALL))).containsExactly(EAST_GOLD, WEST_GOLD, NO_ZONE);
  }

  @Test
  void aZoneTakesOnlyCandidatesKnownToBeInIt() {
    CandidateChoice choice = choice(Selector.newBuilder().setZone("east").build(), List.of());

    assertThat(list(choice.among(ALL))).containsExactly(EAST_GOLD, EAST_PLAIN);
  }

  @Test
  void labelsMustAllMatchThePodsLabels() {
    CandidateChoice gold =
        choice(Selector.newBuilder().putLabels("tier", "gold").build(), List.of());
    CandidateChoice goldOfX =
        choice(
            Selector.newBuilder().putLabels("tier", "gold").putLabels("team", "x").build(),
            List.of());
    CandidateChoice goldInWest =
        choice(
            Selector.newBuilder().setZone("west").putLabels("tier", "gold").build(),
            List.of(WEST_GOLD));

    assertThat(list(gold.among(ALL))).containsExactly(EAST_GOLD, WEST_GOLD);
    assertThat(list(goldOfX.among(ALL))).containsExactly(WEST_GOLD);
    assertThat(list(goldInWest.among(ALL))).isEmpty();
  }

  @Test
  void candidatesAreLookedAtOnlyAsTheCallerAsksForThem() {
    List<Candidate> looked = new ArrayList<>();
    CandidateChoice choice =
        new CandidateChoice(
            Selector.getDefaultInstance(),
            c -> Map.of(),
            c -> {
              looked.add(c);
              return false;
            });

    Iterator<Candidate> free = choice.among(ALL);
    assertThat(free.next()).isEqualTo(EAST_GOLD);

    assertThat(looked).containsExactly(EAST_GOLD);
  }

  @Test
  void podLabelsAreReadOnlyForASelectorWithLabels() {
    List<Candidate> read = new ArrayList<>();
    CandidateChoice zoneOnly =
        new CandidateChoice(
            Selector.newBuilder().setZone("east").build(),
            c -> {
              read.add(c);
              return Map.of();
            },
            c -> false);

    list(zoneOnly.among(ALL));

    assertThat(read).isEmpty();
  }

  private static CandidateChoice choice(Selector selector, List<Candidate> held) {
    return new CandidateChoice(
        selector,
        c -> c.pod().map(pod -> POD_LABELS.getOrDefault(pod, Map.of())).orElse(Map.of()),
        held::contains);
  }

  private static Candidate candidate(String address, String zone, String pod) {
    return new Candidate(
        address, 80, Optional.of(zone), Optional.of(pod), Optional.empty(), Map.of());
  }

  private static List<Candidate> list(Iterator<Candidate> candidates) {
    List<Candidate> all = new ArrayList<>();
    candidates.forEachRemaining(all::add);
    return all;
  }
}
