package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.params.ProxyIdentity;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.xds.server.ProxyAuthorization.Mode;
import dev.fairlead.xds.server.ProxyAuthorization.Peer;
import dev.fairlead.xds.server.ProxyAuthorization.Verdict;
import io.grpc.Status;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The binding of a client's proxy identity to the fleet it asks for, in both modes. */
class ProxyAuthorizationTest {

  private static final ProxyIdentity EDGE = new ProxyIdentity("shop", "edge");
  private static final Peer EDGE_PEER = new Peer(true, Set.of(EDGE), "10.0.0.7:4000");

  @Test
  void anIdentityGetsItsOwnFleetInBothModes() {
    for (Mode mode : Mode.values()) {
      assertThat(ProxyAuthorization.decide(mode, EDGE_PEER, "shop/edge"))
          .isInstanceOf(Verdict.Allowed.class);
    }
  }

  @Test
  void anIdentityAskingForAnotherFleetIsDeniedInBothModesNamingBoth() {
    for (Mode mode : Mode.values()) {
      for (String other : List.of("shop/admin", "other/edge", "shop/edge/", "")) {
        Verdict verdict = ProxyAuthorization.decide(mode, EDGE_PEER, other);

        assertThat(verdict)
            .isInstanceOfSatisfying(
                Verdict.Refused.class,
                refused -> {
                  assertThat(refused.status().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                  assertThat(refused.status().getDescription())
                      .contains("allows node.cluster shop/edge only")
                      .contains(
                          other.isEmpty()
                              ? "asks for no node.cluster"
                              : "asks for '" + other + "'");
                });
      }
    }
  }

  @Test
  void withoutAnIdentityAnyFleetIsServedOnlyWhenIdentitiesAreOptional() {
    for (Peer peer :
        List.of(Peer.anonymous("10.0.0.8:5000"), new Peer(true, Set.of(), "10.0.0.8:5000"))) {
      assertThat(ProxyAuthorization.decide(Mode.OPTIONAL, peer, "shop/edge"))
          .isInstanceOf(Verdict.Allowed.class);

      assertThat(ProxyAuthorization.decide(Mode.REQUIRED, peer, "shop/edge"))
          .isInstanceOfSatisfying(
              Verdict.Refused.class,
              refused -> {
                assertThat(refused.status().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
                assertThat(refused.status().getDescription())
                    .contains(
                        peer.certificate()
                            ? "carries no Fairlead proxy identity"
                            : "no client certificate")
                    .contains("--xds-proxy-identity=required");
              });
    }
  }

  @Test
  void aCertificateWithTwoIdentitiesGetsEitherFleet() {
    Peer peer = new Peer(true, Set.of(EDGE, new ProxyIdentity("shop", "admin")), "10.0.0.9:6000");

    assertThat(ProxyAuthorization.decide(Mode.REQUIRED, peer, "shop/admin"))
        .isInstanceOf(Verdict.Allowed.class);
    assertThat(ProxyAuthorization.decide(Mode.REQUIRED, peer, "shop/other"))
        .isInstanceOf(Verdict.Refused.class);
  }

  @Test
  void onlyFairleadIdentityUrisOfACertificateCount() {
    TestCa ca = TestCa.create("identity-ca");

    assertThat(
            Peer.identities(
                ca.issueWithUris(
                        "envoy",
                        List.of(
                            EDGE.uri(),
                            "spiffe://cluster.local/ns/shop/sa/edge",
                            "spiffe://fairlead/ns/shop/sa/edge",
                            "https://fairlead.dev/"))
                    .certificate()))
        .containsExactly(EDGE);
    assertThat(Peer.identities(ca.issue("envoy").certificate())).isEmpty();
  }
}
