package dev.fairlead.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.ProxyStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /debug/proxies}: every connected proxy (one entry per xDS stream) with, per type, the
 * version it acknowledged, the version last sent to it, whether it currently rejects what it was
 * sent, and its last rejection; with leader election, also the replica it is connected to, and the
 * proxies of every other live replica (as they published them, without the names of the resources a
 * last rejection carried):
 *
 * <pre>
 * {"proxies": [{"nodeId": "edge-1", "fleet": "default/edge", "stream": 3, "mode": "delta", "audience": "envoy",
 *   "replica": "fairlead-a",
 *   "types": {"CDS": {"typeUrl": "...", "acked": "2-ab...", "sent": "2-ab...", "rejected": false,
 *                     "lastNack": {"version": "...", "message": "...", "resources": ["..."],
 *                                  "at": "2030-01-02T03:04:05Z"}}, ...}}],
 *  "omitted": 0}
 * </pre>
 *
 * Absent versions are {@code null}; {@code lastNack} is {@code null} for a type never rejected;
 * {@code replica} is absent with one replica (standalone, or no leader election); {@code omitted}
 * counts the proxies of other replicas too many to list. Pure.
 */
public final class ProxiesDocument {

  private ProxiesDocument() {}

  static ObjectNode of(List<ProxyStatus> proxies) {
    return of(rows(proxies, null, true), 0);
  }

  /** The document of these rows ({@link #rows}), with {@code omitted} proxies not listed. */
  public static ObjectNode of(List<JsonNode> rows, int omitted) {
    ObjectNode document = JsonNodeFactory.instance.objectNode();
    document.putArray("proxies").addAll(rows);
    document.put("omitted", omitted);
    return document;
  }

  /**
   * One row per proxy; with {@code replica} naming the replica they are connected to unless it is
   * null, and the names of the resources of each last rejection if {@code withResources}.
   */
  public static List<JsonNode> rows(
      List<ProxyStatus> proxies, String replica, boolean withResources) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    List<JsonNode> list = new ArrayList<>();
    for (ProxyStatus proxy : proxies) {
      ObjectNode entry = json.objectNode();
      list.add(entry);
      entry.put("nodeId", proxy.nodeId());
      entry.put("fleet", proxy.fleet());
      entry.put("stream", proxy.streamId());
      entry.put("mode", proxy.delta() ? "delta" : "sotw");
      entry.put("audience", audience(proxy.audience()));
      if (replica != null) {
        entry.put("replica", replica);
      }
      ObjectNode types = entry.putObject("types");
      for (ResourceType type : ResourceType.values()) {
        ObjectNode state = types.putObject(type.shortName());
        state.put("typeUrl", type.typeUrl());
        state.put("acked", proxy.acked(type).orElse(null));
        state.put("sent", proxy.sent(type).orElse(null));
        state.put("rejected", proxy.rejections().containsKey(type));
        ProxyStatus.LastNack last = proxy.lastNacks().get(type);
        if (last == null) {
          state.putNull("lastNack");
        } else {
          ObjectNode nack = state.putObject("lastNack");
          nack.put("version", last.nack().rejectedVersion());
          nack.put("message", last.nack().message());
          if (withResources) {
            ArrayNode resources = nack.putArray("resources");
            last.nack().resourceNames().forEach(resources::add);
          }
          nack.put("at", last.at().toString());
        }
      }
    }
    return list;
  }

  static String audience(Audience audience) {
    return audience == Audience.ENVOY ? "envoy" : "grpc";
  }
}
