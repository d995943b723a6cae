package dev.fairlead.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fairlead.xds.cache.EncodedResource;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.ProxyStatus;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code /debug/config_dump?node=ID}: what the xDS cache holds for a proxy's fleet, as that proxy's
 * audience (Envoy, or a gRPC xDS client) is sent it — per type the version of the whole set and
 * every resource with its own version, in protobuf's JSON form:
 *
 * <pre>
 * {"nodeId": "edge-1", "fleet": "default/edge", "audience": "envoy",
 *  "clusters": {"version": "...", "resources": [{"name": "...", "version": "...", "resource": {...}}]},
 *  "endpoints": {...}, "secrets": {...}, "listeners": {...}, "routes": {...}}
 * </pre>
 *
 * A secret's private key is shown as {@value #REDACTED}, as Envoy's own config dump shows it: the
 * document is for diagnosis, and whoever reads it need not hold the key.
 *
 * <p>A fleet with no configuration has {@code null} for each type. A resource that cannot be
 * printed (it packs a type not on the classpath) carries {@code "error"} instead of {@code
 * "resource"}.
 */
final class ConfigDump {

  static final String REDACTED = "[redacted]";

  private final XdsCache cache;
  private final AnyTypes types;
  private final ObjectMapper mapper;

  ConfigDump(XdsCache cache, AnyTypes types, ObjectMapper mapper) {
    this.cache = cache;
    this.types = types;
    this.mapper = mapper;
  }

  ObjectNode of(ProxyStatus proxy) {
    ObjectNode dump = mapper.createObjectNode();
    dump.put("nodeId", proxy.nodeId());
    dump.put("fleet", proxy.fleet());
    dump.put("audience", ProxiesDocument.audience(proxy.audience()));
    for (ResourceType type : ResourceType.values()) {
      String key =
          type.name().toLowerCase(Locale.ROOT)
              + "s"; // clusters, endpoints, secrets, listeners, routes
      Optional<XdsCache.TypeSnapshot> snapshot =
          cache.snapshot(proxy.fleet(), type, proxy.audience());
      if (snapshot.isEmpty()) {
        dump.putNull(key);
        continue;
      }
      ObjectNode section = dump.putObject(key);
      section.put("version", snapshot.get().version());
      ArrayNode resources = section.putArray("resources");
      List<EncodedResource> held = snapshot.get().resources();
      JsonFormat.Printer printer =
          types.printerFor(held.stream().map(EncodedResource::source).toList());
      for (EncodedResource resource : held) {
        ObjectNode entry = resources.addObject();
        entry.put("name", resource.name());
        entry.put("version", resource.version());
        try {
          entry.set("resource", mapper.readTree(printer.print(redacted(resource.source()))));
        } catch (InvalidProtocolBufferException | JsonProcessingException e) {
          entry.put("error", "cannot print " + describe(resource.source()) + ": " + e.getMessage());
        }
      }
    }
    return dump;
  }

  /** {@code message}, with the private key of a secret replaced by {@value #REDACTED}. */
  private static Message redacted(Message message) {
    if (!(message instanceof Secret secret) || !secret.hasTlsCertificate()) {
      return message;
    }
    return secret.toBuilder()
        .setTlsCertificate(
            secret.getTlsCertificate().toBuilder()
                .setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED)))
        .build();
  }

  private static String describe(Message message) {
    return message.getDescriptorForType().getFullName();
  }
}
