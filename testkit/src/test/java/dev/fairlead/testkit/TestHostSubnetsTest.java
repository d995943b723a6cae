package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TestHostSubnetsTest {

  private static final String ADDRESSES =
      """
      1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
      4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever preferred_lft forever
      """;
  private static final String ROUTES =
      """
      default via 192.0.2.1 dev eth0
      192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
      local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1
      broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
      """;

  @Test
  void startsWhereAskedOnAQuietMachine() {
    assertThat(TestHostSubnets.firstFree(ADDRESSES, ROUTES, 42)).hasValue(42);
  }

  @Test
  void skipsSubnetsHoldingAnAddressOrAMoreSpecificRoute() {
    String addresses =
        ADDRESSES
            + "9: flh77-1    inet 10.213.42.1/24 scope global flh77-1\n"
            + "10: wg0    inet 10.213.44.9/32 scope global wg0\n";
    String routes =
        ROUTES
            + "10.213.43.128/25 via 192.0.2.7 dev eth0\n"
            + "10.213.46.0/23 dev eth0\n"
            + "unreachable 10.213.48.0/24\n";

    OptionalInt from42 = TestHostSubnets.firstFree(addresses, routes, 42);
    OptionalInt from46 = TestHostSubnets.firstFree(addresses, routes, 46);

    assertThat(from42).hasValue(45);
    assertThat(from46).hasValue(49);
  }

  @Test
  void broadRoutesDoNotBlockTheRange() {
    String routes = ROUTES + "10.0.0.0/8 via 192.0.2.9 dev eth0\n10.213.0.0/16 dev tun0\n";

    assertThat(TestHostSubnets.firstFree(ADDRESSES, routes, 3)).hasValue(3);
  }

  @Test
  void wrapsAroundAndGivesUpWhenEverySubnetIsTaken() {
    StringBuilder addresses = new StringBuilder();
    for (int k = 0; k < 256; k++) {
      if (k != 1) {
        addresses.append("7: x    inet 10.213.").append(k).append(".1/24 scope global x\n");
      }
    }
    assertThat(TestHostSubnets.firstFree(addresses.toString(), ROUTES, 200)).hasValue(1);
    assertThat(TestHostSubnets.firstFree(addresses + "7: x    inet 10.213.1.1/24\n", ROUTES, 200))
        .isEmpty();
  }
}
