package dev.fairlead.app.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fairlead.xds.cache.Audience;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.ProxyStatus;
import java.util.List;

/**
 * {@code /debug/proxies}: every connected proxy (one entry per xDS stream) with, per type, the version it
 * acknowledged, the version last sent to it, whether it currently rejects what it was sent, and its last rejection:
 *
 * <pre>
 * {"proxies": [{"nodeId": "edge-1", "fleet": "default/edge", "stream": 3, "mode": "delta", "audience": "envoy",
 *   "types": {"CDS": {"typeUrl": "...", "acked": "2-ab...", "sent": "2-ab...", "rejected": false,
 *                     "lastNack": {"version": "...", "message": "...", "resources": ["..."],
 *                                  "at": "2030-01-02T03:04:05Z"}}, ...}}]}
 * </pre>
 *
 * Absent versions are {@code null}; {@code lastNack} is {@code null} for a type never rejected. Pure.
 */
final class ProxiesDocument {

  private ProxiesDocument() {
  }

  static ObjectNode of(List<ProxyStatus> proxies) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ArrayNode list = json.arrayNode();
    for (ProxyStatus proxy : proxies) {
      ObjectNode entry = list.addObject();
      entry.put("nodeId", proxy.nodeId());
      entry.put("fleet", proxy.fleet());
      entry.put("stream", proxy.streamId());
      entry.put("mode", proxy.delta() ? "delta" : "sotw");
      entry.put("audience", audience(proxy.audience()));
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
          ArrayNode resources = nack.putArray("resources");
          last.nack().resourceNames().forEach(resources::add);
          nack.put("at", last.at().toString());
        }
      }
    }
    ObjectNode document = json.objectNode();
    document.set("proxies", list);
    return document;
  }

  static String audience(Audience audience) {
    return audience == Audience.ENVOY ? "envoy" : "grpc";
  }
}
