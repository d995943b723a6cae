package dev.fairlead.allocator;

import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks the requests of the allocation API before anything is read or written, and names the first offending
 * field. What only the API server can judge (the syntax of label keys and values) it judges on create, and its 422 is
 * answered as INVALID_ARGUMENT as well.
 */
final class RequestValidation {

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final String RESERVED_PREFIX = "fairlead.dev/";

  private RequestValidation() {
  }

  static void checkAllocate(AllocateRequest request) {
    checkNamespace(request.getNamespace());
    checkName("upstream", request.getUpstream());
    checkKeys("labels", request.getLabelsMap());
    checkKeys("annotations", request.getAnnotationsMap());
    if (request.hasTtl()) {
      if (!Durations.isValid(request.getTtl()) || !Durations.isPositive(request.getTtl())) {
        throw AllocationException.invalid("ttl", "must be a positive duration, was "
            + request.getTtl().getSeconds() + "s " + request.getTtl().getNanos() + "ns");
      }
    }
  }

  static void checkNamespace(String namespace) {
    if (namespace.isEmpty()) {
      throw AllocationException.invalid("namespace", "is required");
    }
    if (!DNS_LABEL.matcher(namespace).matches()) {
      throw AllocationException.invalid("namespace", "must be a DNS label (RFC 1123), was \"" + namespace + "\"");
    }
  }

  static void checkName(String field, String name) {
    if (name.isEmpty()) {
      throw AllocationException.invalid(field, "is required");
    }
    if (!DNS_SUBDOMAIN.matcher(name).matches()) {
      throw AllocationException.invalid(field, "must be a DNS subdomain name (RFC 1123), was \"" + name + "\"");
    }
  }

  private static void checkKeys(String field, Map<String, String> map) {
    for (String key : map.keySet()) {
      if (key.startsWith(RESERVED_PREFIX)) {
        throw AllocationException.invalid(field + "[" + key + "]",
            "keys under " + RESERVED_PREFIX + " are reserved for Fairlead");
      }
    }
  }
}
