package dev.fairlead.reporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

/** The names operators see in a Prometheus scrape; building the reporter connects to nothing. */
class MetricNamesTest {

  @Test
  void theReporterExposesItsCountersAndItsCacheStatistics() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Config nowhere = new ConfigBuilder(Config.empty()).withMasterUrl("https://127.0.0.1:9").build();
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(nowhere).build();
        StatusReporter reporter = new StatusReporter(client, ReporterSettings.DEFAULT, registry)) {

      assertThat(reporter.isWriting()).isFalse();
      assertThat(reporter.pendingWork()).isZero();
      String scrape = registry.scrape();

      for (String kind : new String[] {"Upstream", "GatewayClass", "Gateway", "HTTPRoute"}) {
        for (String counter : new String[] {"writes", "skips", "conflicts", "failures"}) {
          assertThat(scrape)
              .contains("fairlead_status_" + counter + "_total{kind=\"" + kind + "\"}");
        }
      }
      assertThat(scrape)
          .contains("cache_gets_total{cache=\"fairlead_status\",result=\"hit\"}")
          .contains("cache_gets_total{cache=\"fairlead_status\",result=\"miss\"}")
          .contains("cache_size{cache=\"fairlead_status\"}")
          .contains("cache_evictions_total{cache=\"fairlead_status\"}");
    }
  }
}
