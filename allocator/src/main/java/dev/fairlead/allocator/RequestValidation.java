package dev.fairlead.allocator;

import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.api.log.Shown;
import io.vertx.core.json.Json;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the requests of the allocation API before anything is read or written, and names the first
 * offending field. Label keys and values (the request's own and its selector's) and annotation keys
 * follow the API server's syntax, so that a selector no endpoint could ever match is refused as
 * invalid rather than answered as "nothing free", and a label the API server would refuse is named
 * here with its field.
 */
final class RequestValidation {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /**
   * A label value, and the name part of a label or annotation key (Kubernetes' "qualified name").
   */
  private static final Pattern LABEL_VALUE =
      Pattern.compile("(?=.{0,63}$)([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?");

  private static final String RESERVED_PREFIX = "fairlead.dev/";
  private static final int SHOWN_LIMIT = 64;

  private RequestValidation() {}

  /**
   * @param maxTtl the longest {@code ttl} a request may ask for
   */
  static void checkAllocate(AllocateRequest request, Duration maxTtl) {
    checkNamespace(request.getNamespace());
    checkName("upstream", request.getUpstream());
    checkLabels("labels", request.getLabelsMap());
    checkKeys("annotations", request.getAnnotationsMap());
    if (request.hasSelector()) {
      if (!LABEL_VALUE.matcher(request.getSelector().getZone()).matches()) {
        throw AllocationException.invalid(
            "selector.zone",
            "must be a label value (at most 63 letters, digits, "
                + "'-', '_' or '.', beginning and ending with a letter or digit), was \""
                + shown(request.getSelector().getZone())
                + "\"");
      }
      checkLabelSyntax("selector.labels", request.getSelector().getLabelsMap());
    }
    if (request.hasTtl()) {
      checkTtl(request.getTtl(), maxTtl);
    }
  }

  private static void checkTtl(com.google.protobuf.Duration ttl, Duration maxTtl) {
    if (!Durations.isValid(ttl) || !Durations.isPositive(ttl)) {
      throw AllocationException.invalid(
          "ttl",
          "must be a positive duration, was " + ttl.getSeconds() + "s " + ttl.getNanos() + "ns");
    }
    if (Duration.ofSeconds(ttl.getSeconds(), ttl.getNanos()).compareTo(maxTtl) > 0) {
      throw AllocationException.invalid(
          "ttl",
          "must be at most "
              + maxTtl.toSeconds()
              + "s, the server's maximum, "
              + "was "
              + Durations.toString(ttl));
    }
  }

  static void checkNamespace(String namespace) {
    if (namespace.isEmpty()) {
      throw AllocationException.invalid("namespace", "is required");
    }
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw AllocationException.invalid(
          "namespace", "must be a DNS label (RFC 1123), was \"" + shown(namespace) + "\"");
    }
  }

  static void checkName(String field, String name) {
    if (name.isEmpty()) {
      throw AllocationException.invalid(field, "is required");
    }
    if (!DNS_SUBDOMAIN.matcher(name).matches()) {
      throw AllocationException.invalid(
          field, "must be a DNS subdomain name (RFC 1123), was \"" + shown(name) + "\"");
    }
  }

  private static void checkLabels(String field, Map<String, String> labels) {
    checkKeys(field, labels);
    checkLabelSyntax(field, labels);
  }

  private static void checkLabelSyntax(String field, Map<String, String> labels) {
    for (Map.Entry<String, String> label : labels.entrySet()) {
      checkKeySyntax(field, label.getKey());
      if (!LABEL_VALUE.matcher(label.getValue()).matches()) {
        throw AllocationException.invalid(
            field + "[" + shown(label.getKey()) + "]",
            "must be a label value (at most "
                + "63 letters, digits, '-', '_' or '.', beginning and ending with a letter or digit), was \""
                + shown(label.getValue())
                + "\"");
      }
    }
  }

  private static void checkKeys(String field, Map<String, String> map) {
    for (String key : map.keySet()) {
      if (key.startsWith(RESERVED_PREFIX)) {
        throw AllocationException.invalid(
            field + "[" + shown(key) + "]",
            "keys under " + RESERVED_PREFIX + " are reserved for Fairlead");
      }
      checkKeySyntax(field, key);
    }
  }

  /**
   * A label or annotation key: an optional DNS subdomain prefix and '/', then a name as {@link
   * #LABEL_VALUE}.
   */
  private static void checkKeySyntax(String field, String key) {
    int slash = key.indexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    boolean valid =
        !name.isEmpty()
            && LABEL_VALUE.matcher(name).matches()
            && (slash < 0 || DNS_SUBDOMAIN.matcher(key.substring(0, slash)).matches());
    if (!valid) {
      throw AllocationException.invalid(
          field + "[" + shown(key) + "]",
          "the key must be a name of at most 63 "
              + "letters, digits, '-', '_' or '.' beginning and ending with a letter or digit, optionally after a DNS "
              + "subdomain prefix and '/'");
    }
  }

  /**
   * A client's string as a refusal shows it: escaped as inside a JSON string, so that the message
   * stays one line whatever the client sent (a line break or control character in a value cannot
   * pass for a line of the server's), and cut after {@value #SHOWN_LIMIT} characters. A name or
   * value of the API's syntax shows unchanged.
   */
  static String shown(String text) {
    String json = Json.encode(text);
    return bounded(json.substring(1, json.length() - 1));
  }

  /**
   * {@code json} (a value as JSON encodes it) with what JSON leaves as it is but could still forge
   * a log line escaped too ({@link Shown}: the C1 control characters such as NEL, the line and
   * paragraph separators, the bidirectional controls), and cut after {@value #SHOWN_LIMIT}
   * characters, marked with an ellipsis where it was.
   */
  static String bounded(String json) {
    return Shown.shown(json, SHOWN_LIMIT);
  }
}
