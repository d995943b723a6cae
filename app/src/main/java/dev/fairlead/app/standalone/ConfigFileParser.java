package dev.fairlead.app.standalone;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.fairlead.api.state.ClusterState;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads one YAML file of Kubernetes objects — the kinds standalone mode understands — into typed
 * fabric8 objects, or says precisely what is wrong: the file, the line the offending document
 * starts on, the object, and the field. Stateless and thread-safe.
 *
 * <p>Two kinds of file are broken before any YAML is read. A file that is not UTF-8 (a Latin-1 byte
 * in a comment is enough): a decoder that replaced the byte would change names and values without a
 * word. And a file that is empty or holds only whitespace: that is also what an editor or a copy
 * leaves for a moment while it writes the file, so it is not taken to mean "nothing" — a file meant
 * to declare nothing says so with a comment or {@code ---}, which parses to no objects.
 */
public final class ConfigFileParser {

  /** The kinds a configuration directory may hold, by {@code apiVersion/kind}. */
  static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.ofEntries(
          Map.entry(Upstream.GROUP + "/" + Upstream.VERSION + "/" + Upstream.KIND, Upstream.class),
          Map.entry(
              Upstream.GROUP + "/" + Upstream.VERSION + "/" + GatewayParameters.KIND,
              GatewayParameters.class),
          Map.entry("gateway.networking.k8s.io/v1/GatewayClass", GatewayClass.class),
          Map.entry("gateway.networking.k8s.io/v1/Gateway", Gateway.class),
          Map.entry("gateway.networking.k8s.io/v1/HTTPRoute", HTTPRoute.class),
          Map.entry("gateway.networking.k8s.io/v1/GRPCRoute", GRPCRoute.class),
          Map.entry("gateway.networking.k8s.io/v1beta1/ReferenceGrant", ReferenceGrant.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("discovery.k8s.io/v1/EndpointSlice", EndpointSlice.class),
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Secret", Secret.class),
          Map.entry("v1/Namespace", Namespace.class));

  private static final String DEFAULT_NAMESPACE = "default";
  private static final java.util.regex.Pattern YAML_EVENT =
      java.util.regex.Pattern.compile("<org\\.yaml\\.snakeyaml\\.events\\.(\\w+)Event\\([^>]*\\)>");

  private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  /** Decodes {@code content} as UTF-8, refusing any byte that is not, and parses it. */
  public ParsedFile parse(Path file, byte[] content) {
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(content);
    CharBuffer out = CharBuffer.allocate(content.length); // UTF-8 never makes more chars than bytes
    CoderResult result = utf8.decode(in, out, true);
    if (!result.isError()) {
      result = utf8.flush(out);
    }
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) {
        line += content[i] == '\n' ? 1 : 0;
      }
      return new ParsedFile.Broken(
          file,
          line,
          String.format(
              java.util.Locale.ROOT,
              "not UTF-8: byte 0x%02X at offset %d cannot be decoded; save the file as UTF-8",
              content[offset] & 0xff,
              offset));
    }
    return parse(file, out.flip().toString());
  }

  public ParsedFile parse(Path file, String content) {
    if (content.isBlank()) {
      return new ParsedFile.Broken(
          file,
          0,
          "the file is empty; a file that declares nothing on purpose says so in"
              + " a comment (# nothing)");
    }
    List<ParsedFile.Located> objects = new ArrayList<>();
    try (JsonParser parser = yaml.getFactory().createParser(content)) {
      while (parser.nextToken() != null) {
        int line = parser.currentTokenLocation().getLineNr();
        JsonNode document = yaml.readTree(parser);
        if (document == null || document.isNull() || document.isMissingNode()) {
          continue;
        }
        if (!document.isObject()) {
          return new ParsedFile.Broken(
              file,
              line,
              "expected a Kubernetes object (a mapping), found "
                  + document.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
        }
        ParsedFile problem = convert(file, line, document, objects);
        if (problem != null) {
          return problem;
        }
      }
    } catch (JsonProcessingException e) {
      JsonLocation where = e.getLocation();
      return new ParsedFile.Broken(
          file,
          where == null ? 0 : where.getLineNr(),
          "invalid YAML: " + oneLine(e.getOriginalMessage()));
    } catch (IOException e) {
      return new ParsedFile.Broken(file, 0, "cannot read: " + e.getMessage());
    }
    return new ParsedFile.Good(file, objects);
  }

  private ParsedFile convert(
      Path file, int line, JsonNode document, List<ParsedFile.Located> into) {
    String apiVersion = document.path("apiVersion").asText("");
    String kind = document.path("kind").asText("");
    Class<? extends HasMetadata> type = KINDS.get(apiVersion + "/" + kind);
    if (type == null) {
      return new ParsedFile.Broken(
          file,
          line,
          "apiVersion '"
              + apiVersion
              + "' kind '"
              + kind
              + "' is not a kind Fairlead reads; expected one of "
              + KINDS.keySet().stream().sorted().collect(Collectors.joining(", ")));
    }
    String name = document.path("metadata").path("name").asText("");
    if (name.isBlank()) {
      return new ParsedFile.Broken(file, line, kind + " has no metadata.name");
    }
    String emptyItem = firstNullListItem(document, "");
    if (emptyItem != null) {
      return new ParsedFile.Broken(
          file,
          line,
          kind
              + " "
              + name
              + ": "
              + emptyItem
              + ": a list item is empty (null);"
              + " remove it or give it a value");
    }
    HasMetadata object;
    try {
      object = serialization.convertValue(document, type);
    } catch (IllegalArgumentException e) {
      String field = e.getCause() instanceof JsonMappingException mapping ? path(mapping) : "";
      String reason =
          e.getCause() instanceof JsonMappingException mapping ? problem(mapping) : "is not valid";
      return new ParsedFile.Broken(
          file, line, kind + " " + name + ": " + (field.isEmpty() ? "" : field + ": ") + reason);
    }
    if (object instanceof Secret secret && !ClusterState.TLS_SECRET_TYPE.equals(secret.getType())) {
      return new ParsedFile.Broken(
          file,
          line,
          kind
              + " "
              + name
              + ": type: must be "
              + ClusterState.TLS_SECRET_TYPE
              + " (the only Secrets Fairlead reads: certificates of HTTPS listeners), was "
              + secret.getType());
    }
    if (!(object instanceof GatewayClass)
        && !(object instanceof Namespace)
        && (object.getMetadata().getNamespace() == null
            || object.getMetadata().getNamespace().isBlank())) {
      object.getMetadata().setNamespace(DEFAULT_NAMESPACE);
    }
    into.add(new ParsedFile.Located(object, file, line));
    return null;
  }

  /**
   * SnakeYAML's message as one line for a log: its sentences start in the first column, while the
   * location, source excerpt and caret lines under them are indented (the line number is reported
   * separately). Where the YAML reader quotes a parser event ({@code
   * <org.yaml.snakeyaml.events.MappingStartEvent(…)>}, as for a mapping used as a key), the message
   * says what was written instead.
   */
  static String oneLine(String message) {
    String words =
        java.util.Arrays.stream(message.split("\\R"))
            .filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
            .collect(java.util.stream.Collectors.joining("; "));
    return YAML_EVENT
        .matcher(words)
        .replaceAll(
            event ->
                switch (event.group(1)) {
                  case "MappingStart" -> "a mapping";
                  case "SequenceStart" -> "a list";
                  case "Alias" -> "an alias";
                  case "Scalar" -> "a value";
                  default -> "the end of a mapping, list or document";
                });
  }

  /**
   * What is wrong with a value, in the words of the file: Jackson's own messages name the model
   * classes behind a field ("Cannot coerce empty String to `io.fabric8…GatewaySpec`"), which mean
   * nothing to whoever wrote the file.
   */
  private String problem(JsonMappingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown field; expected one of "
          + unknown.getKnownPropertyIds().stream()
              .map(String::valueOf)
              .sorted()
              .collect(Collectors.joining(", "));
    }
    if (e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
      return expected(mismatch.getTargetType())
          + (e instanceof InvalidFormatException invalid
              ? ", was " + serialization.asJson(invalid.getValue())
              : "");
    }
    return "is not a valid value for this field";
  }

  /** The form a value of {@code type} takes in YAML. */
  private String expected(Class<?> type) {
    if (type.isEnum()) {
      return "must be one of "
          + Arrays.stream(type.getEnumConstants())
              .map(serialization::asJson)
              .collect(Collectors.joining(", "));
    }
    Class<?> boxed = MethodType.methodType(type).wrap().returnType();
    if (Number.class.isAssignableFrom(boxed)) {
      return "must be a number";
    }
    if (boxed == Boolean.class) {
      return "must be true or false";
    }
    if (CharSequence.class.isAssignableFrom(type) || boxed == Character.class) {
      return "must be a string";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "must be a list";
    }
    return "must be a mapping (fields and their values)";
  }

  /**
   * The path of the first null element of a list in {@code node}, or null if there is none. The API
   * server admits no such element (a typed list's items are objects or values, never absent), and
   * the code reading the objects relies on that, so a file does not get one past it either.
   */
  private static String firstNullListItem(JsonNode node, String path) {
    if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        String item = path + "[" + i + "]";
        String found = node.get(i).isNull() ? item : firstNullListItem(node.get(i), item);
        if (found != null) {
          return found;
        }
      }
    } else if (node.isObject()) {
      for (var fields = node.fields(); fields.hasNext(); ) {
        var field = fields.next();
        String name = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        String found = firstNullListItem(field.getValue(), name);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  /** {@code spec.static.hosts[0].port} from Jackson's path references. */
  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
