package dev.fairlead.testkit;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Structure-aware mutation for fuzz targets: edits a JSON tree (a Kubernetes object as its YAML or
 * JSON reads) where the fuzzer's bytes say — a value replaced by a string, number, boolean or null,
 * a field removed, a list element duplicated or a container emptied — so that inputs stay close to
 * real objects and reach the code behind parsing, instead of dying in it as random bytes would.
 *
 * <p>Every choice is drawn from the {@link FuzzedDataProvider}, so the same bytes make the same
 * edits: a crash the fuzzer finds replays as a regression input. Strings come from a dictionary the
 * target passes (field values its code branches on) or from the bytes themselves.
 */
public final class FuzzedTrees {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int[] INTERESTING_NUMBERS = {
    0,
    1,
    -1,
    2,
    80,
    443,
    1000,
    1001,
    65535,
    65536,
    1000000,
    1000001,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE
  };

  private FuzzedTrees() {}

  /** Applies up to {@code maxEdits} edits to {@code root} in place. */
  public static void mutate(
      JsonNode root, FuzzedDataProvider data, List<String> dictionary, int maxEdits) {
    int edits = data.consumeInt(0, maxEdits);
    for (int i = 0; i < edits && data.remainingBytes() > 0; i++) {
      List<Slot> slots = new ArrayList<>();
      collect(root, slots);
      if (slots.isEmpty()) {
        return;
      }
      edit(slots.get(data.consumeInt(0, slots.size() - 1)), data, dictionary);
    }
  }

  /** One place in a tree: a field of an object or an element of an array. */
  private record Slot(JsonNode parent, String field, int index) {

    JsonNode value() {
      return field != null ? parent.get(field) : parent.get(index);
    }

    void set(JsonNode value) {
      if (field != null) {
        ((ObjectNode) parent).set(field, value);
      } else {
        ((ArrayNode) parent).set(index, value);
      }
    }

    void remove() {
      if (field != null) {
        ((ObjectNode) parent).remove(field);
      } else {
        ((ArrayNode) parent).remove(index);
      }
    }
  }

  private static void collect(JsonNode node, List<Slot> slots) {
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      node.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        slots.add(new Slot(node, name, -1));
        collect(node.get(name), slots);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        slots.add(new Slot(node, null, i));
        collect(node.get(i), slots);
      }
    }
  }

  private static void edit(Slot slot, FuzzedDataProvider data, List<String> dictionary) {
    switch (data.consumeInt(0, 7)) {
      case 0 ->
          slot.set(
              NODES.textNode(
                  dictionary.isEmpty() || data.consumeBoolean()
                      ? data.consumeString(64)
                      : dictionary.get(data.consumeInt(0, dictionary.size() - 1))));
      case 1 ->
          slot.set(
              NODES.numberNode(
                  data.consumeBoolean()
                      ? INTERESTING_NUMBERS[data.consumeInt(0, INTERESTING_NUMBERS.length - 1)]
                      : data.consumeInt()));
      case 2 -> slot.set(NODES.booleanNode(data.consumeBoolean()));
      case 3 -> slot.set(NODES.nullNode());
      case 4 -> slot.remove();
      case 5 -> {
        JsonNode value = slot.value();
        if (slot.field == null) {
          ((ArrayNode) slot.parent).insert(slot.index, value.deepCopy());
        } else if (value.isArray() && !value.isEmpty()) {
          ((ArrayNode) value).add(value.get(data.consumeInt(0, value.size() - 1)).deepCopy());
        }
      }
      case 6 -> {
        JsonNode value = slot.value();
        if (value.isContainerNode()) {
          slot.set(value.isArray() ? NODES.arrayNode() : NODES.objectNode());
        }
      }
      default -> {
        JsonNode value = slot.value();
        if (value.isTextual()) {
          String text = value.asText();
          slot.set(NODES.textNode(text + (data.consumeBoolean() ? data.consumeString(8) : text)));
        }
      }
    }
  }
}
