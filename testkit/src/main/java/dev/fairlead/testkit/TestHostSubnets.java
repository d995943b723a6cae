package dev.fairlead.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Chooses the /24 of {@code 10.213.0.0/16} that a test network namespace uses: one that no address
 * and no specific route on the machine touches, so the subnet reaches nothing but the namespace's
 * veth.
 *
 * <p>A /24 is in use when an address lies in it, or a route or address prefix longer than /16
 * overlaps it. Prefixes of /16 or shorter (a default route, a VPN's {@code 10.0.0.0/8}) do not
 * count: the namespace's connected /24 is more specific than they are, so its traffic still goes
 * only to the veth.
 *
 * <p>Pure and stateless: it reads the text of {@code ip -4 -o addr} and {@code ip -4 route show
 * table all}.
 */
final class TestHostSubnets {

  /** The first three octets' common part; a subnet is {@code 10.213.<k>.0/24}. */
  static final String BASE = "10.213.";

  private static final Pattern ADDRESS =
      Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");
  private static final Pattern ROUTE =
      Pattern.compile("^(?:[a-z]+ )?(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?(?:\\s|$)");
  private static final long BASE_BITS = toBits("10.213.0.0");

  private TestHostSubnets() {}

  /**
   * The first free {@code k} (0..255), trying {@code start}, {@code start + 1}, … and wrapping
   * around; empty when every /24 is in use.
   */
  static OptionalInt firstFree(String ipAddrOutput, String ipRouteOutput, int start) {
    List<Prefix> inUse = new ArrayList<>();
    ipAddrOutput.lines().forEach(line -> find(ADDRESS.matcher(line), inUse));
    ipRouteOutput.lines().forEach(line -> find(ROUTE.matcher(line.strip()), inUse));
    for (int i = 0; i < 256; i++) {
      int k = Math.floorMod(start + i, 256);
      if (inUse.stream().noneMatch(prefix -> prefix.touches(k))) {
        return OptionalInt.of(k);
      }
    }
    return OptionalInt.empty();
  }

  private static void find(Matcher matcher, List<Prefix> into) {
    if (matcher.find()) {
      int length = matcher.group(2) == null ? 32 : Integer.parseInt(matcher.group(2));
      into.add(new Prefix(toBits(matcher.group(1)), length));
    }
  }

  private static long toBits(String address) {
    long bits = 0;
    for (String octet : address.split("\\.")) {
      bits = (bits << 8) | Integer.parseInt(octet);
    }
    return bits;
  }

  /** An address as written (not masked) and its prefix length. */
  private record Prefix(long address, int length) {

    boolean touches(int k) {
      long subnet = BASE_BITS | ((long) k << 8);
      if ((address >>> 8) == (subnet >>> 8)) {
        return true;
      }
      if (length <= 16) {
        return false;
      }
      int common = Math.min(length, 24);
      return (address >>> (32 - common)) == (subnet >>> (32 - common));
    }
  }
}
