package dev.fairlead.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InformerEventHandlerTest {

  @Test
  void eachKindOfEventReachesItsOwnAction() {
    List<String> seen = new ArrayList<>();
    InformerEventHandler<String> handler =
        InformerEventHandler.of(
            added -> seen.add("add " + added),
            (before, after) -> seen.add("update " + before + " -> " + after),
            deleted -> seen.add("delete " + deleted));

    handler.onAdd("a");
    handler.onUpdate("a", "b");
    handler.onDelete("b", false);
    handler.onDelete("c", true);

    assertThat(seen).containsExactly("add a", "update a -> b", "delete b", "delete c");
  }

  @Test
  void forEachObjectSeesEveryObjectAnEventCarriesOldBeforeNew() {
    List<String> seen = new ArrayList<>();
    InformerEventHandler<String> handler = InformerEventHandler.forEachObject(seen::add);

    handler.onAdd("a");
    handler.onUpdate("a", "b");
    handler.onDelete("b", true);

    assertThat(seen).containsExactly("a", "a", "b", "b");
  }
}
