package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiscoveryScopeTest {

  private static final Map<String, String> WATCH = Map.of("fairlead.dev/expose", "yes");

  @Test
  void watchLabelsSelectServices() {
    DiscoveryScope scope = DiscoveryScope.everything().withServiceSelector(WATCH);

    assertThat(
            scope.includes(
                service("shop", "web", Map.of("fairlead.dev/expose", "yes", "app", "web"), null),
                Map.of()))
        .isTrue();
    assertThat(
            scope.includes(
                service("shop", "web", Map.of("fairlead.dev/expose", "no"), null), Map.of()))
        .isFalse();
    assertThat(scope.includes(service("shop", "web", null, null), Map.of())).isFalse();
  }

  @Test
  void withoutWatchLabelsEveryServiceIsIn() {
    assertThat(DiscoveryScope.everything().includes(service("shop", "web", null, null), Map.of()))
        .isTrue();
  }

  @Test
  void theAnnotationOptsInAndOutRegardlessOfLabels() {
    DiscoveryScope scope = DiscoveryScope.everything().withServiceSelector(WATCH);

    assertThat(scope.includes(service("shop", "web", null, "true"), Map.of())).isTrue();
    assertThat(scope.includes(service("shop", "web", WATCH, "false"), Map.of())).isFalse();
    assertThat(scope.includes(service("shop", "web", WATCH, "maybe"), Map.of())).isTrue();
    assertThat(scope.includes(service("shop", "web", null, "maybe"), Map.of())).isFalse();
  }

  @Test
  void systemServicesOnlyWhenAnnotated() {
    DiscoveryScope scope = DiscoveryScope.everything();

    assertThat(scope.includes(service("kube-system", "kube-dns", null, null), Map.of())).isFalse();
    assertThat(scope.includes(service("default", "kubernetes", null, null), Map.of())).isFalse();
    assertThat(scope.includes(service("default", "web", null, null), Map.of())).isTrue();
    assertThat(scope.includes(service("shop", "kubernetes", null, null), Map.of())).isTrue();
    assertThat(scope.includes(service("kube-system", "kube-dns", null, "true"), Map.of())).isTrue();
    assertThat(scope.includes(service("default", "kubernetes", null, "true"), Map.of())).isTrue();
    assertThat(
            DiscoveryScope.inNamespaces(Set.of("kube-system"))
                .includes(service("kube-system", "kube-dns", null, null), Map.of()))
        .isFalse();
  }

  @Test
  void aNamespaceListBoundsEverythingEvenTheAnnotation() {
    DiscoveryScope scope = DiscoveryScope.inNamespaces(Set.of("shop", "blog"));

    assertThat(scope.includes(service("shop", "web", null, null), Map.of())).isTrue();
    assertThat(scope.includes(service("blog", "web", null, null), Map.of())).isTrue();
    assertThat(scope.includes(service("other", "web", null, null), Map.of())).isFalse();
    assertThat(scope.includes(service("other", "web", null, "true"), Map.of())).isFalse();
  }

  @Test
  void aNamespaceSelectorReadsTheNamespacesLabels() {
    DiscoveryScope scope =
        DiscoveryScope.inNamespacesLabelled(Map.of("mesh", "on")).withServiceSelector(WATCH);

    assertThat(scope.selectsNamespacesByLabel()).isTrue();
    assertThat(
            scope.includes(service("shop", "web", WATCH, null), Map.of("mesh", "on", "team", "a")))
        .isTrue();
    assertThat(scope.includes(service("shop", "web", WATCH, null), Map.of("mesh", "off")))
        .isFalse();
    assertThat(scope.includes(service("shop", "web", WATCH, null), Map.of())).isFalse();
    assertThat(scope.includes(service("shop", "web", WATCH, "true"), null)).isFalse();
    assertThat(scope.includes(service("shop", "web", null, "true"), Map.of("mesh", "on"))).isTrue();
  }

  @Test
  void namespacesComeFromAListOrASelectorNotBoth() {
    assertThatThrownBy(() -> new DiscoveryScope(Set.of("shop"), Map.of("mesh", "on"), Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("[shop]")
        .hasMessageContaining("mesh=on");
    assertThat(DiscoveryScope.inNamespaces(Set.of("shop")).selectsNamespacesByLabel()).isFalse();
  }

  private static Service service(
      String namespace, String name, Map<String, String> labels, String discover) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .withLabels(labels)
        .withAnnotations(
            discover == null ? null : Map.of(DiscoveryScope.DISCOVER_ANNOTATION, discover))
        .endMetadata()
        .build();
  }
}
