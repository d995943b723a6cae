package dev.fairlead.xds.translate;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeader;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderFilter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A Gateway API header filter ({@code RequestHeaderModifier} or {@code ResponseHeaderModifier}) as
 * Envoy header operations: {@code set} overwrites a header (or adds it), {@code add} appends a
 * value to it, {@code remove} drops it. Header names are case-insensitive, so they are lower-cased,
 * and within each list only the first entry of a name counts, as the Gateway API asks. A value is
 * sent literally: Envoy would read {@code %} as the start of a command, so it is doubled.
 *
 * <p>{@code host} and pseudo-headers are not modifiable in Envoy, so they are refused (URLRewrite
 * sets the host).
 *
 * @param toAdd the {@code set} and {@code add} operations, in that order
 * @param toRemove the names to remove
 */
record HeaderModifier(List<HeaderValueOption> toAdd, List<String> toRemove) {

  /** An HTTP token (RFC 7230): what a header name may be. */
  static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+\\-.^_`|~]+");

  /** A header value Envoy accepts: visible characters, spaces and tabs. */
  private static final Pattern VALUE = Pattern.compile("[\\t\\x20-\\x7e\\x80-\\x{10FFFF}]+");

  /** Adds to {@code problems} each problem of {@code filter} (at {@code field}). */
  static void validate(HTTPHeaderFilter filter, String field, List<String> problems) {
    List<HTTPHeader> set = Objects.requireNonNullElse(filter.getSet(), List.of());
    List<HTTPHeader> add = Objects.requireNonNullElse(filter.getAdd(), List.of());
    List<String> remove = Objects.requireNonNullElse(filter.getRemove(), List.of());
    if (set.isEmpty() && add.isEmpty() && remove.isEmpty()) {
      problems.add(field + ": needs at least one of set, add, remove");
    }
    headerProblems(set, field + ".set", problems);
    headerProblems(add, field + ".add", problems);
    for (int i = 0; i < remove.size(); i++) {
      nameProblem(remove.get(i), field + ".remove[" + i + "]", problems);
    }
  }

  private static void headerProblems(
      List<HTTPHeader> headers, String field, List<String> problems) {
    for (int i = 0; i < headers.size(); i++) {
      HTTPHeader header = headers.get(i);
      if (header == null) {
        problems.add(field + "[" + i + "]: required");
        continue;
      }
      nameProblem(header.getName(), field + "[" + i + "].name", problems);
      String value = header.getValue();
      if (value == null
          || value.isEmpty()
          || value.length() > 4096
          || !VALUE.matcher(value).matches()) {
        problems.add(
            field + "[" + i + "].value: must be 1-4096 characters without control characters");
      }
    }
  }

  private static void nameProblem(String name, String field, List<String> problems) {
    if (name == null || name.length() > 256 || !TOKEN.matcher(name).matches()) {
      problems.add(field + ": must be an HTTP token of 1-256 characters, was \"" + name + "\"");
    } else if (name.equalsIgnoreCase("host")) {
      problems.add(
          field + ": the host header cannot be modified here; URLRewrite's hostname sets it");
    }
  }

  /** The operations of {@code filter}, which passed {@link #validate}. */
  static HeaderModifier of(HTTPHeaderFilter filter) {
    List<HeaderValueOption> toAdd = new ArrayList<>();
    addAll(filter.getSet(), HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD, toAdd);
    addAll(filter.getAdd(), HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD, toAdd);
    Set<String> names = new HashSet<>();
    List<String> toRemove = new ArrayList<>();
    for (String name : Objects.requireNonNullElse(filter.getRemove(), List.<String>of())) {
      if (names.add(name.toLowerCase(Locale.ROOT))) {
        toRemove.add(name.toLowerCase(Locale.ROOT));
      }
    }
    return new HeaderModifier(List.copyOf(toAdd), List.copyOf(toRemove));
  }

  private static void addAll(
      List<HTTPHeader> headers,
      HeaderValueOption.HeaderAppendAction action,
      List<HeaderValueOption> into) {
    Set<String> names = new HashSet<>();
    for (HTTPHeader header : Objects.requireNonNullElse(headers, List.<HTTPHeader>of())) {
      String name = header.getName().toLowerCase(Locale.ROOT);
      if (names.add(name)) {
        into.add(
            HeaderValueOption.newBuilder()
                .setHeader(
                    HeaderValue.newBuilder()
                        .setKey(name)
                        .setValue(header.getValue().replace("%", "%%")))
                .setAppendAction(action)
                .build());
      }
    }
  }
}
