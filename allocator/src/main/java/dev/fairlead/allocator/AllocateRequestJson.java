package dev.fairlead.allocator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.fairlead.allocation.v1.AllocateRequest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Reads an {@link AllocateRequest} from its protobuf JSON form, one field at a time, so that a
 * problem is reported as INVALID_ARGUMENT naming its field ({@code ttl}, {@code selector.labels},
 * {@code body} for the document as a whole) and saying what was expected, in words of the API
 * rather than of the parsers behind it: no exception class or parser internals reach the client.
 * Unknown fields are refused, naming the fields there are.
 */
final class AllocateRequestJson {

  private AllocateRequestJson() {}

  /** The request {@code body} spells; an empty or blank body is the empty request. */
  static AllocateRequest parse(String body) {
    AllocateRequest.Builder request = AllocateRequest.newBuilder();
    if (body == null || body.isBlank()) {
      return request.build();
    }
    Object document;
    try {
      document = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw AllocationException.invalid("body", "is not valid JSON" + location(e));
    }
    if (!(document instanceof JsonObject object)) {
      throw AllocationException.invalid(
          "body", "must be a JSON object (an AllocateRequest), was " + kind(document));
    }
    merge(object, request, "");
    return request.build();
  }

  private static void merge(JsonObject json, Message.Builder builder, String prefix) {
    Descriptor type = builder.getDescriptorForType();
    for (Map.Entry<String, Object> entry : json) {
      String path = prefix + RequestValidation.shown(entry.getKey());
      FieldDescriptor field =
          type.getFields().stream()
              .filter(
                  f -> f.getJsonName().equals(entry.getKey()) || f.getName().equals(entry.getKey()))
              .findFirst()
              .orElseThrow(
                  () ->
                      AllocationException.invalid(
                          path,
                          "unknown field; "
                              + (prefix.isEmpty() ? "a request" : "this object")
                              + " has "
                              + type.getFields().stream()
                                  .map(FieldDescriptor::getJsonName)
                                  .collect(Collectors.joining(", "))));
      if (entry.getValue() instanceof JsonObject nested
          && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE
          && !field.isMapField()
          && !field.getMessageType().getFullName().startsWith("google.protobuf.")) {
        Message.Builder child = builder.newBuilderForField(field);
        merge(nested, child, path + ".");
        builder.setField(field, child.build());
        continue;
      }
      try {
        JsonFormat.parser()
            .merge(new JsonObject().put(entry.getKey(), entry.getValue()).encode(), builder);
      } catch (InvalidProtocolBufferException e) {
        throw AllocationException.invalid(
            path, expectation(field) + ", was " + quoted(entry.getValue()));
      }
    }
  }

  private static String expectation(FieldDescriptor field) {
    if (field.isMapField()) {
      return "must be an object of string keys and values";
    }
    if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
      return field.getMessageType().getFullName().equals("google.protobuf.Duration")
          ? "must be a duration in seconds with the suffix s, such as \"600s\" or \"1.5s\""
          : "must be an object";
    }
    return field.getJavaType() == FieldDescriptor.JavaType.STRING
        ? "must be a string"
        : "must be a JSON " + field.getJavaType().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static String quoted(Object value) {
    return RequestValidation.bounded(Json.encode(value));
  }

  private static String kind(Object value) {
    if (value instanceof JsonArray) {
      return "an array";
    }
    return value == null
        ? "null"
        : value instanceof String
            ? "a string"
            : value instanceof Boolean ? "a boolean" : "a number";
  }

  /** Where the parser stopped, as line and column, when it says. */
  private static String location(DecodeException e) {
    return e.getCause() instanceof JsonProcessingException parse && parse.getLocation() != null
        ? " (line "
            + parse.getLocation().getLineNr()
            + ", column "
            + parse.getLocation().getColumnNr()
            + ")"
        : "";
  }
}
