package dev.fairlead.xds.translate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.api.verdict.ListenerVerdict;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.api.verdict.Verdict;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link Translation} as the YAML of the golden files: per fleet its clusters, endpoints,
 * listeners and routes (and secrets when it has any, each private key replaced by its length), each
 * printed by protobuf's JsonFormat (proto field names, as in Envoy's own documentation), then the
 * verdicts, then (when there are any) the allocation pools. The same translation always renders to
 * the same text.
 */
final class TranslationYaml {

  /** Every message type the translator packs into an {@code Any}. */
  static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(DownstreamTlsContext.getDescriptor())
          .add(TlsInspector.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(Bootstrap.getDescriptor())
          .add(
              io.envoyproxy.envoy.extensions.filters.http.header_to_metadata.v3.Config
                  .getDescriptor())
          .add(io.envoyproxy.envoy.config.route.v3.FilterConfig.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBACPerRoute.getDescriptor())
          .build();

  static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames().sortingMapKeys();

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML =
      new YAMLMapper(
          YAMLFactory.builder()
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .disable(YAMLGenerator.Feature.SPLIT_LINES)
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
              .build());

  private TranslationYaml() {}

  static String render(Translation translation) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    ObjectNode fleets = root.putObject("fleets");
    for (Map.Entry<String, FleetConfig> fleet : translation.fleets().entrySet()) {
      ObjectNode node = fleets.putObject(fleet.getKey());
      resources(node.putArray("clusters"), fleet.getValue().clusters());
      resources(node.putArray("endpoints"), fleet.getValue().endpoints());
      resources(node.putArray("listeners"), fleet.getValue().listeners());
      resources(node.putArray("routes"), fleet.getValue().routes());
      if (!fleet.getValue().secrets().isEmpty()) {
        resources(
            node.putArray("secrets"),
            fleet.getValue().secrets().stream().map(TranslationYaml::keyHidden).toList());
      }
    }
    ArrayNode verdicts = root.putArray("verdicts");
    for (Verdict verdict : translation.verdicts()) {
      ObjectNode node = verdicts.addObject();
      ObjectRef object = verdict.object();
      node.put("kind", object.kind())
          .put("namespace", object.namespace())
          .put("name", object.name())
          .put("uid", object.uid())
          .put("generation", object.generation());
      verdict
          .parent()
          .ifPresent(
              parent -> {
                ObjectNode parentNode =
                    node.putObject("parent")
                        .put("namespace", parent.namespace())
                        .put("name", parent.name());
                parent.sectionName().ifPresent(section -> parentNode.put("sectionName", section));
              });
      condition(node.putObject("accepted"), verdict.accepted());
      condition(node.putObject("resolvedRefs"), verdict.resolvedRefs());
      if (!verdict.listeners().isEmpty()) {
        ArrayNode listeners = node.putArray("listeners");
        for (ListenerVerdict listener : verdict.listeners()) {
          ObjectNode entry = listeners.addObject().put("name", listener.name());
          condition(entry.putObject("accepted"), listener.accepted());
          condition(entry.putObject("conflicted"), listener.conflicted());
          condition(entry.putObject("resolvedRefs"), listener.resolvedRefs());
          entry.put("programmed", listener.programmed());
          listener.supportedKinds().forEach(entry.putArray("supportedKinds")::add);
        }
      }
      verdict
          .partiallyInvalid()
          .ifPresent(condition -> condition(node.putObject("partiallyInvalid"), condition));
    }
    if (!translation.pools().isEmpty()) {
      ObjectNode pools = root.putObject("pools");
      translation
          .pools()
          .forEach(
              (upstream, pool) -> {
                ArrayNode endpoints = pools.putArray(upstream);
                pool.forEach(
                    endpoint ->
                        endpoints
                            .addObject()
                            .put("address", endpoint.address())
                            .put("port", endpoint.port())
                            .put("zone", endpoint.zone())
                            .put("pod", endpoint.pod())
                            .put("node", endpoint.node()));
              });
    }
    try {
      return YAML.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * {@code secret} with its private key replaced by a line saying how long it is: the golden files
   * show where the key goes, not the key.
   */
  private static Secret keyHidden(Secret secret) {
    DataSource key = secret.getTlsCertificate().getPrivateKey();
    return secret.toBuilder()
        .setTlsCertificate(
            secret.getTlsCertificate().toBuilder()
                .setPrivateKey(
                    DataSource.newBuilder()
                        .setInlineString(
                            "(private key, " + key.getInlineBytes().size() + " bytes)")))
        .build();
  }

  /** {@code message} printed by JsonFormat. */
  static String json(Message message) {
    try {
      return PRINTER.print(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void resources(ArrayNode array, List<? extends Message> messages) {
    for (Message message : messages) {
      try {
        array.add(JSON.readTree(json(message)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static void condition(ObjectNode node, Condition condition) {
    node.put("status", condition.isTrue() ? "True" : "False")
        .put("reason", condition.reason())
        .put("message", condition.message());
  }
}
