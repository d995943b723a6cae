package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ReferenceGrant rule as the Gateway API defines it: the grant sits in the referent's
 * namespace, and every part of {@code from} (group, kind, namespace) and of {@code to} (group,
 * kind, and name when it gives one) must match.
 */
class ReferenceGrantsTest {

  private static final ReferenceGrants.Reference UPSTREAM_TO_SERVICE =
      new ReferenceGrants.Reference(
          "fairlead.dev", "Upstream", "default", "", "Service", "shop", "web");

  @Test
  void aReferenceWithinOneNamespaceNeedsNoGrantAndIsNotRecorded() {
    Reads reads = new Reads();
    ReferenceGrants.Reference local =
        new ReferenceGrants.Reference(
            "fairlead.dev", "Upstream", "shop", "", "Service", "shop", "web");

    assertThat(new ReferenceGrants(List.of()).permits(local, reads)).isTrue();
    assertThat(
            reads.unchangedIn(
                (source, key) -> {
                  throw new AssertionError("recorded " + source + " " + key);
                }))
        .isTrue();
  }

  @Test
  void aMatchingGrantInTheReferentsNamespacePermitsAndTheAnswerIsRecorded() {
    ReferenceGrants grants =
        grants(
            """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: g, namespace: shop}
        spec:
          from: [{group: example.com, kind: Other, namespace: default}, {group: fairlead.dev, kind: Upstream,
            namespace: default}]
          to: [{group: "", kind: Secret}, {group: "", kind: Service, name: ""}]
        """);
    Reads reads = new Reads();

    assertThat(grants.permits(UPSTREAM_TO_SERVICE, reads)).isTrue();
    assertThat(
            reads.unchangedIn(
                (source, key) ->
                    source == Reads.Source.REFERENCE_GRANT && key.equals(UPSTREAM_TO_SERVICE)))
        .isTrue();
    assertThat(reads.unchangedIn((source, key) -> false)).isFalse();
  }

  @Test
  void everyPartOfFromAndToMustMatch() {
    String grant =
        """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: g, namespace: %s}
        spec:
          from: [{group: %s, kind: %s, namespace: %s}]
          to: [{group: %s, kind: %s, name: %s}]
        """;
    assertThat(
            grants(
                    grant.formatted(
                        "shop", "fairlead.dev", "Upstream", "default", "''", "Service", "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("all match")
        .isTrue();
    assertThat(
            grants(
                    grant.formatted(
                        "other", "fairlead.dev", "Upstream", "default", "''", "Service", "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("grant in another namespace")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop",
                        "gateway.networking.k8s.io",
                        "Upstream",
                        "default",
                        "''",
                        "Service",
                        "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("from group")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop", "fairlead.dev", "HTTPRoute", "default", "''", "Service", "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("from kind")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop", "fairlead.dev", "Upstream", "other", "''", "Service", "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("from namespace")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop",
                        "fairlead.dev",
                        "Upstream",
                        "default",
                        "fairlead.dev",
                        "Service",
                        "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("to group")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop", "fairlead.dev", "Upstream", "default", "''", "Upstream", "web"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("to kind")
        .isFalse();
    assertThat(
            grants(
                    grant.formatted(
                        "shop", "fairlead.dev", "Upstream", "default", "''", "Service", "api"))
                .granted(UPSTREAM_TO_SERVICE))
        .as("to name")
        .isFalse();
  }

  @Test
  void aGrantWithoutFromOrToPermitsNothing() {
    assertThat(
            grants(
                    """
        apiVersion: gateway.networking.k8s.io/v1beta1
        kind: ReferenceGrant
        metadata: {name: g, namespace: shop}
        spec:
          to: [{group: "", kind: Service}]
        """)
                .granted(UPSTREAM_TO_SERVICE))
        .isFalse();
  }

  private static ReferenceGrants grants(String yaml) {
    List<HasMetadata> objects = ClusterStateYaml.objects(yaml);
    return new ReferenceGrants(objects.stream().map(ReferenceGrant.class::cast).toList());
  }
}
