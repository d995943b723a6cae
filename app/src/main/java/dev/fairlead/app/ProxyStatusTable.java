package dev.fairlead.app;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The table {@code fairlead proxy-status} prints from the admin server's {@code /debug/proxies}
 * document: one row per connected proxy (stream), sorted by node id, with the replica it is
 * connected to (a {@code REPLICA} column, when the document names replicas: with leader election it
 * lists the proxies of every live replica) and per type
 *
 * <ul>
 *   <li>{@code SYNCED}: it acknowledged the version last sent;
 *   <li>{@code STALE}: a version was sent that it has not acknowledged (yet);
 *   <li>{@code NACKED}: it rejected the version last sent to it, and holds an older one;
 *   <li>{@code NOT SENT}: it has been sent nothing of that type.
 * </ul>
 *
 * Pure.
 */
final class ProxyStatusTable {

  static final List<String> TYPES = List.of("CDS", "EDS", "LDS", "RDS");
  private static final List<String> HEADER =
      List.of("NAME", "FLEET", "MODE", "CDS", "EDS", "LDS", "RDS");
  private static final String REPLICA = "REPLICA";
  private static final String GAP = "   ";

  private ProxyStatusTable() {}

  static String format(JsonNode document) {
    List<JsonNode> proxies = new ArrayList<>();
    document.path("proxies").forEach(proxies::add);
    proxies.sort(
        Comparator.comparing((JsonNode p) -> p.path("nodeId").asText())
            .thenComparing(p -> p.path("fleet").asText())
            .thenComparing(p -> p.path("replica").asText())
            .thenComparingLong(p -> p.path("stream").asLong()));
    boolean replicas = proxies.stream().anyMatch(p -> p.has("replica"));
    List<List<String>> rows = new ArrayList<>();
    List<String> header = new ArrayList<>(HEADER);
    if (replicas) {
      header.add(1, REPLICA);
    }
    rows.add(header);
    for (JsonNode proxy : proxies) {
      List<String> row =
          new ArrayList<>(
              List.of(
                  proxy.path("nodeId").asText(),
                  proxy.path("fleet").asText(),
                  proxy.path("mode").asText().toUpperCase(java.util.Locale.ROOT)));
      if (replicas) {
        row.add(1, proxy.path("replica").asText());
      }
      for (String type : TYPES) {
        row.add(state(proxy.path("types").path(type)));
      }
      rows.add(row);
    }
    int omitted = document.path("omitted").asInt(0);
    int[] widths = new int[header.size()];
    for (List<String> row : rows) {
      for (int i = 0; i < row.size(); i++) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    StringBuilder table = new StringBuilder();
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(widths[i] - row.get(i).length())).append(GAP);
        }
      }
      table.append(line.toString().stripTrailing()).append('\n');
    }
    if (omitted > 0) {
      table
          .append("(")
          .append(omitted)
          .append(omitted == 1 ? " proxy" : " proxies")
          .append(" of other replicas not listed: their records hold too many to list)\n");
    }
    return table.toString();
  }

  /** SYNCED, STALE, NACKED or NOT SENT, from one type's entry of a proxy. */
  static String state(JsonNode type) {
    if (type.path("rejected").asBoolean(false)) {
      return "NACKED";
    }
    String sent = text(type.path("sent"));
    if (sent == null) {
      return "NOT SENT";
    }
    return sent.equals(text(type.path("acked"))) ? "SYNCED" : "STALE";
  }

  private static String text(JsonNode node) {
    return node.isTextual() ? node.asText() : null;
  }
}
