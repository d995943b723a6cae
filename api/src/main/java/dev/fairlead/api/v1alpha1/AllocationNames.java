package dev.fairlead.api.v1alpha1;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The name of the {@link Allocation} that holds an endpoint: {@code
 * <upstream>-<address>-<port>-<hash>}, with every character of the address that a name cannot carry
 * turned into a dash, the readable part cut so that the name stays within 63 characters, and the
 * hash the first 8 hex digits of SHA-256 over {@code upstream/address/port}.
 *
 * <p>The name is what makes allocation exclusive (two creates of the same name: the second gets
 * 409), so it must be a function of the endpoint and <em>only</em> of the endpoint, and distinct
 * endpoints must get distinct names. The readable part alone is lossy (IPv6 {@code ::1} and a host
 * name {@code --1} fold alike, and upstream names carry dashes too); the hash of the exact triple
 * keeps them apart, so it is always there, not only when the name is long.
 */
public final class AllocationNames {

  /** Longest name produced: fits a label value too. */
  public static final int MAX_LENGTH = 63;

  private static final int HASH_LENGTH = 8;

  private AllocationNames() {}

  /** The name of the Allocation holding {@code address:port} of {@code upstream}. */
  public static String forEndpoint(String upstream, String address, int port) {
    String hash = hash(upstream + "/" + address + "/" + port);
    String readable =
        (upstream + "-" + address + "-" + port)
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9-]", "-");
    int room = MAX_LENGTH - HASH_LENGTH - 1;
    if (readable.length() > room) {
      readable = readable.substring(0, room);
    }
    readable = readable.replaceAll("^-+|-+$", "");
    return readable.isEmpty() ? "a" + hash : readable + "-" + hash;
  }

  private static String hash(String text) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_LENGTH);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
