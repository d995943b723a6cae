package dev.fairlead.api.params;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Names and labels of a managed fleet's objects. Every object of a Gateway's fleet is named {@code
 * fairlead-<gateway>}: a Gateway's name is a DNS subdomain (up to 253 characters, dots allowed), a
 * Service's a DNS label (at most 63, no dots), so a name that does not fit becomes a prefix of it
 * with the dots turned into dashes, plus a hash of the whole name, which keeps two long names that
 * share a prefix apart.
 */
public final class ProxyNames {

  /**
   * The label every object of a managed fleet carries; the provisioner's informers watch only
   * these.
   */
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";

  /** The value of {@link #MANAGED_BY}: the provisioner. */
  public static final String PROVISIONER = "fairlead-provisioner";

  /** The label selecting a fleet's pods; its value is the fleet's object name. */
  public static final String PROXY_LABEL = "fairlead.dev/proxy";

  /** The annotation naming the Gateway (in the same namespace) an object belongs to. */
  public static final String GATEWAY_ANNOTATION = "fairlead.dev/gateway";

  public static final int MAX_NAME = 63;
  private static final String PREFIX = "fairlead-";
  private static final int HASH_CHARS = 10;

  private ProxyNames() {}

  /**
   * The name of the objects of {@code gatewayName}'s fleet: a DNS label of at most 63 characters.
   */
  public static String of(String gatewayName) {
    String plain = PREFIX + gatewayName;
    if (plain.length() <= MAX_NAME && gatewayName.indexOf('.') < 0) {
      return plain;
    }
    String hash = sha256(gatewayName).substring(0, HASH_CHARS);
    String head =
        plain.replace('.', '-').substring(0, Math.min(plain.length(), MAX_NAME - HASH_CHARS - 1));
    while (head.endsWith("-")) {
      head = head.substring(0, head.length() - 1);
    }
    return head + "-" + hash;
  }

  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }
}
