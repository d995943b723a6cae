package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.server.Nack;
import dev.fairlead.xds.translate.Translation;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyRejectionsTest {

  private static final String FLEET = "default/edge";
  private final Translation translation =
      new Translation(
          Map.of(),
          List.of(),
          Map.of(
              FLEET,
              Map.of(
                  "http-80", Set.of("Gateway default/edge", "HTTPRoute default/web"),
                  "http-8080", Set.of("Gateway default/edge", "HTTPRoute default/admin"),
                  "upstream/default/blue", Set.of("Upstream default/blue"))),
          Map.of(),
          Map.of());

  @Test
  void aRejectionIsAboutTheObjectsTheResourcesItsMessageNamesCameFrom() {
    String message =
        "Error adding/updating listener(s) http-8080: cannot bind '127.0.0.1:8080': Address already in use";

    assertThat(
            ProxyRejections.blamedObjects(
                translation,
                new Nack(
                    "envoy-2",
                    FLEET,
                    ResourceType.LISTENER,
                    "v2",
                    List.of("http-80", "http-8080"),
                    message)))
        .containsExactly("Gateway default/edge", "HTTPRoute default/admin");
  }

  @Test
  void withoutANameInTheMessageEveryRejectedResourceIsBlamed() {
    assertThat(
            ProxyRejections.blamedObjects(
                translation,
                new Nack(
                    "envoy-1",
                    FLEET,
                    ResourceType.CLUSTER,
                    "v1",
                    List.of("upstream/default/blue"),
                    "bad cluster")))
        .containsExactly("Upstream default/blue");
  }

  @Test
  void rejectionsFromAnotherFleetOrOfUnknownResourcesBlameNothing() {
    assertThat(
            ProxyRejections.blamedObjects(
                translation,
                new Nack(
                    "envoy-9",
                    "default/other",
                    ResourceType.LISTENER,
                    "v1",
                    List.of("http-80"),
                    "x")))
        .isEmpty();
    assertThat(
            ProxyRejections.blamedObjects(
                translation,
                new Nack("envoy-1", FLEET, ResourceType.ROUTE, "v1", List.of("unknown"), "y")))
        .isEmpty();
  }
}
