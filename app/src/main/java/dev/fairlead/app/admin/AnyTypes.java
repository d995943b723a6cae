package dev.fairlead.app.admin;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The message types behind the {@code Any} fields of Envoy resources (an HTTP connection manager
 * inside a listener, the router filter inside it, protocol options inside a cluster...), found by
 * walking the messages, so that {@link JsonFormat} can print them. A type URL names a protobuf
 * message; its Java class follows from the proto package ({@code envoy.*} in {@code
 * io.envoyproxy.envoy.*}, {@code xds.*} and {@code udpa.*} under {@code com.github}, {@code
 * google.*} in {@code com.google.*}) and is loaded from the classpath. Types that cannot be found
 * are left out; printing a message that holds one then fails, and the caller says so.
 *
 * <p>Thread-safe; what was resolved is remembered.
 */
final class AnyTypes {

  private static final Map<String, String> JAVA_PACKAGES = new LinkedHashMap<>();

  static {
    JAVA_PACKAGES.put("envoy.", "io.envoyproxy.envoy.");
    JAVA_PACKAGES.put("xds.", "com.github.xds.");
    JAVA_PACKAGES.put("udpa.", "com.github.udpa.udpa.");
    JAVA_PACKAGES.put("google.", "com.google.");
  }

  private final Map<String, Optional<Descriptor>> resolved = new ConcurrentHashMap<>();

  /** A printer that knows every type packed (at any depth) into {@code messages}. */
  JsonFormat.Printer printerFor(List<? extends Message> messages) {
    Map<String, Descriptor> found = new LinkedHashMap<>();
    for (Message message : messages) {
      collect(message, found);
    }
    JsonFormat.TypeRegistry.Builder registry = JsonFormat.TypeRegistry.newBuilder();
    found.values().forEach(registry::add);
    return JsonFormat.printer()
        .usingTypeRegistry(registry.build())
        .omittingInsignificantWhitespace();
  }

  private void collect(Message message, Map<String, Descriptor> found) {
    if (message.getDescriptorForType().getFullName().equals("google.protobuf.Any")) {
      collectAny(message, found);
      return;
    }
    for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
      if (field.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
        continue;
      }
      if (field.getKey().isRepeated()) {
        for (Object element : (List<?>) field.getValue()) {
          collect((Message) element, found);
        }
      } else {
        collect((Message) field.getValue(), found);
      }
    }
  }

  private void collectAny(Message any, Map<String, Descriptor> found) {
    Descriptor anyType = any.getDescriptorForType();
    String typeUrl = (String) any.getField(anyType.findFieldByName("type_url"));
    ByteString value = (ByteString) any.getField(anyType.findFieldByName("value"));
    Optional<Descriptor> type = resolve(typeUrl.substring(typeUrl.lastIndexOf('/') + 1));
    if (type.isEmpty()) {
      return;
    }
    found.putIfAbsent(type.get().getFullName(), type.get());
    try {
      collect(DynamicMessage.parseFrom(type.get(), value), found);
    } catch (InvalidProtocolBufferException e) {
      // printing will fail on it and say so
    }
  }

  Optional<Descriptor> resolve(String fullName) {
    return resolved.computeIfAbsent(fullName, AnyTypes::load);
  }

  private static Optional<Descriptor> load(String fullName) {
    for (Map.Entry<String, String> mapping : JAVA_PACKAGES.entrySet()) {
      if (!fullName.startsWith(mapping.getKey())) {
        continue;
      }
      // Nested messages are nested classes: try Outer.Inner as Outer$Inner, from the innermost dot
      // outwards.
      String className = mapping.getValue() + fullName.substring(mapping.getKey().length());
      while (true) {
        Optional<Descriptor> descriptor = descriptorOf(className);
        if (descriptor.isPresent()) {
          return descriptor;
        }
        int dot = className.lastIndexOf('.');
        if (dot < 0) {
          return Optional.empty();
        }
        className = className.substring(0, dot) + "$" + className.substring(dot + 1);
      }
    }
    return Optional.empty();
  }

  private static Optional<Descriptor> descriptorOf(String className) {
    try {
      Class<?> type = Class.forName(className, false, AnyTypes.class.getClassLoader());
      if (!Message.class.isAssignableFrom(type)) {
        return Optional.empty();
      }
      Method getDescriptor = type.getMethod("getDescriptor");
      return Optional.of((Descriptor) getDescriptor.invoke(null));
    } catch (ReflectiveOperationException | LinkageError e) {
      return Optional.empty();
    }
  }
}
