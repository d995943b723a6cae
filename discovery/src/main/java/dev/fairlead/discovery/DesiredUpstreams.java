package dev.fairlead.discovery;

import dev.fairlead.api.v1alpha1.Protocol;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Decides which Upstreams a Service should have: one per TCP port, in the Service's namespace. The
 * decision only; {@link UpstreamReconciler} compares it with what exists and {@link UpstreamWriter}
 * writes. Pure and stateless.
 *
 * <p>Names are {@code <service>-<port name>}, or {@code <service>-<port number>} for an unnamed
 * port, lower-cased into a DNS-1123 label. A name longer than 63 characters is cut to 54 and
 * suffixed with {@code -} and the first 8 hex digits of the SHA-256 of the full name, so it is
 * stable across restarts and replicas and two long names that share a prefix still differ.
 *
 * <p>UDP and SCTP ports get no Upstream: Envoy proxies HTTP and gRPC over TCP only.
 */
public final class DesiredUpstreams {

  /** Label on every Upstream discovery created; discovery never touches an Upstream without it. */
  public static final String DISCOVERED_BY_LABEL = "fairlead.dev/discovered-by";

  public static final String DISCOVERED_BY_VALUE = "discovery";

  /** Label naming the Service (in the same namespace) an Upstream was discovered from. */
  public static final String SERVICE_LABEL = "fairlead.dev/service";

  static final int MAX_NAME_LENGTH = 63;
  private static final int HASH_LENGTH = 8;

  private DesiredUpstreams() {}

  /** The Upstreams {@code service} should have, in the order of its ports. */
  public static List<DesiredUpstream> forService(Service service) {
    String namespace = service.getMetadata().getNamespace();
    String serviceName = service.getMetadata().getName();
    String uid = service.getMetadata().getUid();
    List<DesiredUpstream> desired = new ArrayList<>();
    if (service.getSpec() == null || service.getSpec().getPorts() == null) {
      return desired;
    }
    for (ServicePort port : service.getSpec().getPorts()) {
      if (port.getPort() == null || !isTcp(port)) {
        continue;
      }
      String portId =
          port.getName() == null || port.getName().isEmpty()
              ? Integer.toString(port.getPort())
              : port.getName();
      desired.add(
          new DesiredUpstream(
              namespace,
              upstreamName(serviceName, portId),
              serviceName,
              uid,
              port.getPort(),
              protocolOf(port.getAppProtocol())));
    }
    return desired;
  }

  /** The Upstream name for a Service port: a DNS-1123 label of at most 63 characters. */
  public static String upstreamName(String serviceName, String portId) {
    String full = (serviceName + "-" + portId).toLowerCase(Locale.ROOT);
    String label = trimHyphens(full.replaceAll("[^a-z0-9-]", "-"));
    if (label.length() <= MAX_NAME_LENGTH) {
      return label;
    }
    String prefix = trimHyphens(label.substring(0, MAX_NAME_LENGTH - HASH_LENGTH - 1));
    return prefix + "-" + hash(full);
  }

  /**
   * The protocol an {@code appProtocol} asks for: {@code kubernetes.io/h2c} or {@code h2c} is
   * HTTP2, {@code grpc} GRPC, {@code http} or {@code kubernetes.io/http} HTTP1; null (leave {@code
   * spec.protocol} alone) for anything else or nothing.
   */
  public static Protocol protocolOf(String appProtocol) {
    if (appProtocol == null) {
      return null;
    }
    return switch (appProtocol.toLowerCase(Locale.ROOT)) {
      case "kubernetes.io/h2c", "h2c" -> Protocol.HTTP2;
      case "grpc" -> Protocol.GRPC;
      case "http", "kubernetes.io/http" -> Protocol.HTTP1;
      default -> null;
    };
  }

  private static boolean isTcp(ServicePort port) {
    return port.getProtocol() == null || "TCP".equals(port.getProtocol());
  }

  private static String trimHyphens(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == '-') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == '-') {
      end--;
    }
    return s.substring(start, end);
  }

  private static String hash(String s) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Every Java platform provides SHA-256", e);
    }
  }
}
