package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fairlead.reporter.ProxyTally;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What the proxies connected to one replica hold, as that replica publishes it for the others: per
 * object ({@code Kind namespace/name}) how many of its proxies are sent the object's configuration,
 * hold its current one and reject it, with one rejecting proxy's message; and a row per proxy, as
 * {@code /debug/proxies} shows it with the replica's name ({@code omitted} counts the rows left out
 * to keep the record within what an API object holds).
 *
 * <p>Its JSON form ({@link #toJson}, {@link #fromJson}) is what a replica writes into its record:
 *
 * <pre>
 * {"replica": "fairlead-a", "objects": {"Upstream shop/cart-http": {"connected": 2, "holding": 1, "rejected": 1,
 *   "message": "..."}}, "proxies": [{"nodeId": "edge-1", "replica": "fairlead-a", ...}], "omitted": 0}
 * </pre>
 *
 * Immutable.
 */
record ReplicaProxies(
    String replica,
    Map<String, ProxyTally> tallies,
    Map<String, String> messages,
    List<JsonNode> proxies,
    int omitted) {

  ReplicaProxies {
    Objects.requireNonNull(replica, "replica");
    tallies = java.util.Collections.unmodifiableMap(new TreeMap<>(tallies));
    messages = java.util.Collections.unmodifiableMap(new TreeMap<>(messages));
    proxies = List.copyOf(proxies);
  }

  /** The same, without the proxies' rows: what is left when the rows do not fit a record. */
  ReplicaProxies withoutRows() {
    return new ReplicaProxies(replica, tallies, messages, List.of(), omitted + proxies.size());
  }

  ObjectNode toJson() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode document = json.objectNode();
    document.put("replica", replica);
    ObjectNode objects = document.putObject("objects");
    tallies.forEach(
        (object, tally) -> {
          ObjectNode entry = objects.putObject(object);
          entry.put("connected", tally.connected());
          entry.put("holding", tally.holding());
          entry.put("rejected", tally.rejected());
          if (messages.containsKey(object)) {
            entry.put("message", messages.get(object));
          }
        });
    document.putArray("proxies").addAll(proxies);
    document.put("omitted", omitted);
    return document;
  }

  /**
   * Reads a record another replica wrote.
   *
   * @throws IllegalArgumentException naming what is missing or wrong, for a document that is not
   *     such a record
   */
  static ReplicaProxies fromJson(JsonNode document) {
    String replica = document.path("replica").asText("");
    if (replica.isEmpty()) {
      throw new IllegalArgumentException("no replica name (field replica)");
    }
    JsonNode objects = document.path("objects");
    if (!objects.isObject() || !document.path("proxies").isArray()) {
      throw new IllegalArgumentException(
          "fields objects (an object) and proxies (a list) are required");
    }
    Map<String, ProxyTally> tallies = new TreeMap<>();
    Map<String, String> messages = new TreeMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = objects.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      JsonNode tally = entry.getValue();
      tallies.put(
          entry.getKey(),
          new ProxyTally(
              tally.path("connected").asInt(),
              tally.path("holding").asInt(),
              tally.path("rejected").asInt()));
      if (tally.path("message").isTextual()) {
        messages.put(entry.getKey(), tally.path("message").asText());
      }
    }
    List<JsonNode> proxies = new ArrayList<>();
    document.path("proxies").forEach(proxies::add);
    return new ReplicaProxies(
        replica, tallies, messages, proxies, document.path("omitted").asInt(0));
  }
}
