package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fairlead.reporter.ProxyTally;
import dev.fairlead.reporter.Rejection;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The proxies of every live replica together: per object the sum of the replicas' tallies and one
 * rejecting proxy's message (of the first replica by name that has one), and every proxy's row.
 * Pure and immutable.
 */
record FleetView(
    Map<String, ProxyTally> tallies,
    Map<String, String> messages,
    List<JsonNode> rows,
    int omitted) {

  static final FleetView EMPTY = new FleetView(Map.of(), Map.of(), List.of(), 0);

  FleetView {
    tallies = Map.copyOf(tallies);
    messages = Map.copyOf(messages);
    rows = List.copyOf(rows);
  }

  /**
   * This replica's record and the live records of the others (a record of the same replica counts
   * once).
   */
  static FleetView of(ReplicaProxies own, Collection<ReplicaProxies> peers) {
    Map<String, ReplicaProxies> replicas = new TreeMap<>();
    peers.forEach(peer -> replicas.put(peer.replica(), peer));
    replicas.put(own.replica(), own);
    Map<String, ProxyTally> tallies = new TreeMap<>();
    Map<String, String> messages = new TreeMap<>();
    List<JsonNode> rows = new ArrayList<>();
    int omitted = 0;
    for (ReplicaProxies replica : replicas.values()) {
      replica.tallies().forEach((object, tally) -> tallies.merge(object, tally, ProxyTally::plus));
      replica.messages().forEach(messages::putIfAbsent);
      rows.addAll(replica.proxies());
      omitted += replica.omitted();
    }
    rows.sort(
        Comparator.comparing((JsonNode row) -> row.path("nodeId").asText())
            .thenComparing(row -> row.path("replica").asText())
            .thenComparingLong(row -> row.path("stream").asLong()));
    return new FleetView(tallies, messages, rows, omitted);
  }

  /**
   * The objects some proxy rejects, with one proxy's message and how many proxies of all replicas
   * reject them.
   */
  Map<String, Rejection> rejections() {
    Map<String, Rejection> rejections = new TreeMap<>();
    tallies.forEach(
        (object, tally) -> {
          if (tally.rejected() > 0) {
            rejections.put(
                object,
                new Rejection(
                    messages.getOrDefault(object, "rejected by a proxy"), tally.rejected()));
          }
        });
    return rejections;
  }
}
