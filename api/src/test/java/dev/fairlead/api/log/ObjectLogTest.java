package dev.fairlead.api.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.verdict.ObjectRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

class ObjectLogTest {

  @Test
  void aScopeSetsTheObjectKeysAndNestedScopesRestoreTheOuterOne() {
    try (ObjectLog outer = ObjectLog.of(new ObjectRef("Upstream", "team-a", "web", "uid-1", 3))) {
      assertThat(MDC.get("object")).isEqualTo("Upstream team-a/web uid-1");
      assertThat(MDC.get("uid")).isEqualTo("uid-1");
      try (ObjectLog inner = ObjectLog.of("Allocation", "team-a", "game-1", null)) {
        assertThat(MDC.get("object")).isEqualTo("Allocation team-a/game-1");
        assertThat(MDC.get("uid")).isEmpty();
      }
      assertThat(MDC.get("kind")).isEqualTo("Upstream");
      assertThat(MDC.get("name")).isEqualTo("web");
    }
    for (String key : ObjectLog.KEYS) {
      assertThat(MDC.get(key)).as(key).isNull();
    }
  }

  @Test
  void aClusterScopedObjectKeepsAnEmptyNamespace() {
    GatewayClass gatewayClass =
        new GatewayClassBuilder()
            .withNewMetadata()
            .withName("fairlead")
            .withUid("uid-c")
            .endMetadata()
            .build();
    try (ObjectLog scope = ObjectLog.of("GatewayClass", gatewayClass)) {
      assertThat(MDC.get("namespace")).isEmpty();
      assertThat(MDC.get("object")).isEqualTo("GatewayClass /fairlead uid-c");
    }
  }
}
