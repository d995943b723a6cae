package dev.fairlead.api.v1alpha1;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Fairlead's custom resources stay readable by an older Fairlead: during a rolling upgrade the new
 * leader writes fields (a status field, a spec field a user sets) that replicas of the previous
 * build do not know, and a replica that cannot read an object cannot serve it. Every record of the
 * model therefore ignores fields it does not know.
 */
class ForwardCompatibleModelTest {

  @Test
  void everyRecordOfEveryCustomResourceIgnoresFieldsItDoesNotKnow() {
    Set<Class<?>> records =
        records(
            List.of(
                UpstreamSpec.class,
                UpstreamStatus.class,
                AllocationSpec.class,
                GatewayParametersSpec.class));

    assertThat(records)
        .contains(
            UpstreamSpec.class, UpstreamStatus.class, UpstreamProxies.class, HealthCheck.class);
    assertThat(records)
        .allSatisfy(
            type ->
                assertThat(type.getAnnotation(JsonIgnoreProperties.class))
                    .as(
                        type.getSimpleName()
                            + " is annotated @JsonIgnoreProperties(ignoreUnknown = true)")
                    .isNotNull()
                    .satisfies(annotation -> assertThat(annotation.ignoreUnknown()).isTrue()));
  }

  @Test
  void anUpstreamWithFieldsOfANewerFairleadIsReadWithWhatThisOneKnows() {
    String json =
        """
        {"apiVersion": "fairlead.dev/v1alpha1", "kind": "Upstream",
         "metadata": {"name": "web", "namespace": "shop"},
         "spec": {"kube": {"serviceName": "web", "port": 8080, "zone": "a"}, "connectTimeout": "2s",
                  "fromTheFuture": {"a": 1},
                  "healthChecks": [{"path": "/healthz", "laterKnob": true}]},
         "status": {"observedGeneration": 3, "readyEndpoints": 2, "proxies": {"connected": 4, "newCount": 1},
                    "somethingNew": "yes"}}
        """;

    Upstream read = new KubernetesSerialization().unmarshal(json, Upstream.class);

    assertThat(read.getSpec().connectTimeout()).isEqualTo("2s");
    assertThat(read.getSpec().kube().port()).isEqualTo(8080);
    assertThat(read.getSpec().healthChecks())
        .singleElement()
        .extracting(HealthCheck::path)
        .isEqualTo("/healthz");
    assertThat(read.getStatus().observedGeneration()).isEqualTo(3L);
    assertThat(read.getStatus().proxies().connected()).isEqualTo(4);
  }

  /**
   * The records reachable from {@code roots} through record components, lists and maps, in this
   * package.
   */
  private static Set<Class<?>> records(List<Class<?>> roots) {
    Set<Class<?>> found = new LinkedHashSet<>();
    Deque<Type> pending = new ArrayDeque<>(roots);
    while (!pending.isEmpty()) {
      Type type = pending.pop();
      if (type instanceof ParameterizedType parameterized) {
        pending.addAll(List.of(parameterized.getActualTypeArguments()));
      } else if (type instanceof Class<?> cls
          && cls.isRecord()
          && cls.getPackageName().equals(Upstream.class.getPackageName())
          && found.add(cls)) {
        for (RecordComponent component : cls.getRecordComponents()) {
          pending.add(component.getGenericType());
        }
      }
    }
    return found;
  }
}
