package dev.fairlead.api.params;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ProxyIdentityTest {

  @Test
  void anIdentityReadsBackFromItsUriAndNamesItsFleet() {
    ProxyIdentity identity = new ProxyIdentity("shop", "edge.example");

    assertThat(identity.uri()).isEqualTo("spiffe://fairlead/ns/shop/gateway/edge.example");
    assertThat(identity.fleet()).isEqualTo("shop/edge.example");
    assertThat(ProxyIdentity.parse(identity.uri())).contains(identity);
  }

  @Test
  void urisOfAnotherFormAreNoIdentity() {
    for (String uri :
        new String[] {
          "spiffe://cluster.local/ns/shop/sa/edge",
          "spiffe://fairlead/ns/shop/sa/edge",
          "spiffe://fairlead/ns//gateway/edge",
          "spiffe://fairlead/ns/shop/gateway/",
          "spiffe://fairlead/ns/shop/gateway/a/b",
          "spiffe://fairlead/ns/a/b/gateway/edge",
          "SPIFFE://fairlead/ns/shop/gateway/edge",
          ""
        }) {
      assertThat(ProxyIdentity.parse(uri)).as(uri).isEqualTo(Optional.empty());
    }
    assertThat(ProxyIdentity.parse(null)).isEmpty();
  }

  @Test
  void namesWithASlashAreRefused() {
    assertThatThrownBy(() -> new ProxyIdentity("a/b", "edge"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProxyIdentity("shop", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
