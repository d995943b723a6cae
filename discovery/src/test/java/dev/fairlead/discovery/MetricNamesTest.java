package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.runtime.CoalescingDelay;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The names operators see in a Prometheus scrape; building the components connects to nothing. */
class MetricNamesTest {

  @Test
  void discoveryAndTheClusterStateSourceExposeTheirCountersUnderFairleadNames() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(nowhere).build();
        ClusterStateSource source =
            new ClusterStateSource(
                client, Set.of(), CoalescingDelay.DEFAULT, registry, state -> {});
        UpstreamReconciler reconciler =
            new UpstreamReconciler(
                client, DiscoveryScope.everything(), ReconcilerSettings.DEFAULT, registry)) {

      assertThat(source.hasSynced()).isFalse();
      assertThat(reconciler.pendingReconciles()).isZero();
      String scrape = registry.scrape();

      for (String kind :
          new String[] {
            "Upstream",
            "GatewayClass",
            "Gateway",
            "HTTPRoute",
            "Service",
            "EndpointSlice",
            "ConfigMap"
          }) {
        for (String type : new String[] {"add", "update", "delete"}) {
          assertThat(scrape)
              .contains(
                  "fairlead_informer_events_total{kind=\"" + kind + "\",type=\"" + type + "\"}");
        }
      }
      assertThat(scrape)
          .contains("fairlead_cluster_state_rebuilds_total ")
          .contains("fairlead_discovery_writes_total{operation=\"apply\"}")
          .contains("fairlead_discovery_writes_total{operation=\"delete\"}")
          .contains("fairlead_discovery_conflicts_total ")
          .contains("fairlead_discovery_reconciles_total ");
    }
  }
}
