package dev.fairlead.reporter;

import dev.fairlead.api.v1alpha1.StaticHost;
import dev.fairlead.api.v1alpha1.StaticHosts;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamSpec;
import dev.fairlead.testkit.Crds;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;

/** Upstreams, their CRD and the reporter's counters, as the integration tests use them. */
final class Upstreams {

  private Upstreams() {}

  /** Installs the Upstream CRD the api module's build generated. */
  static void installCrd(KubernetesClient client) {
    try (InputStream crd =
        Upstreams.class.getResourceAsStream("/META-INF/fabric8/upstreams.fairlead.dev-v1.yml")) {
      Crds.apply(client, crd);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Upstream upstream(String namespace, String name, String connectTimeout) {
    Upstream upstream = new Upstream();
    upstream.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    upstream.setSpec(
        UpstreamSpec.builder()
            .staticHosts(new StaticHosts(List.of(new StaticHost("10.0.0.1", 8080, null))))
            .connectTimeout(connectTimeout)
            .build());
    return upstream;
  }

  static Optional<Condition> condition(Upstream upstream, String type) {
    if (upstream == null
        || upstream.getStatus() == null
        || upstream.getStatus().conditions() == null) {
      return Optional.empty();
    }
    return upstream.getStatus().conditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst();
  }

  /** Whether {@code upstream} carries {@code type}={@code status}. */
  static boolean has(Upstream upstream, String type, String status) {
    return condition(upstream, type).map(c -> status.equals(c.getStatus())).orElse(false);
  }

  /** A counter of the reporter, summed over its tags. */
  static double count(MeterRegistry registry, String name, String kind) {
    return registry.find(name).tag("kind", kind).counters().stream()
        .mapToDouble(Counter::count)
        .sum();
  }
}
