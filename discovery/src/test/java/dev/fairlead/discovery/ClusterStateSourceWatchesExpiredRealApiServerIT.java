package dev.fairlead.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.api.state.ClusterState;
import dev.fairlead.runtime.CoalescingDelay;
import dev.fairlead.testkit.FaultyLinks;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ClusterStateSource} cut off from a real kube-apiserver (a {@link FaultyLinks} link: what
 * it sends never arrives, nothing comes back, nothing is closed) while an EndpointSlice changes,
 * etcd's history is compacted past what the source saw and the API server restarts: its watches can
 * only resume from a revision that is gone (410 Gone). Once the link heals, the source must list
 * again and hold the slice's current endpoints, as a replica must serve them to its proxies.
 */
class ClusterStateSourceWatchesExpiredRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  /** From the heal: watches reconnect with backoff, then list again. */
  private static final Duration CATCH_UP = Duration.ofSeconds(60);

  private static FaultyLinks links;

  @BeforeAll
  static void crdsAndLinks() throws IOException {
    FairleadCrds.install(API_SERVER);
    links = FaultyLinks.start();
  }

  @AfterAll
  static void closeLinks() {
    if (links != null) {
      links.close();
    }
  }

  @Test
  void cutOffWhileEndpointsChangeAndHistoryIsCompactedItHoldsTheCurrentEndpointsOnceHealed()
      throws IOException {
    KubernetesClient user = API_SERVER.client();
    String ns = API_SERVER.createNamespace("expired");
    apply(
        user,
        ns,
        """
        apiVersion: v1
        kind: Service
        metadata: {name: web}
        spec:
          ports: [{name: http, port: 80}]
        """);
    apply(user, ns, slice("10.1.0.1"));
    int apiPort = user.getMasterUrl().getPort();
    FaultyLinks.Link link = links.link("state-api", apiPort);
    Config config = Config.fromKubeconfig(Files.readString(API_SERVER.kubeconfig()));
    config.setMasterUrl("https://127.0.0.1:" + link.port());
    AtomicReference<ClusterState> latest = new AtomicReference<>();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KubernetesClient linked = new KubernetesClientBuilder().withConfig(config).build();
        ClusterStateSource source =
            new ClusterStateSource(
                linked, Set.of(ns), CoalescingDelay.DEFAULT, registry, latest::set)) {
      source.start();
      await().atMost(CATCH_UP).until(() -> address(latest.get()).equals(Optional.of("10.1.0.1")));

      link.cut();
      try {
        for (String address : List.of("10.1.0.2", "10.1.0.3")) {
          EndpointSlice changed = user.getKubernetesSerialization().unmarshal(slice(address));
          changed.getMetadata().setNamespace(ns);
          user.resource(changed).update();
        }
        API_SERVER.compactEtcd();
        API_SERVER.restartApiServer();
      } finally {
        link.heal();
      }
      Instant healed = Instant.now();

      await("the source holds the slice's current endpoints after the heal")
          .atMost(CATCH_UP)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> address(latest.get()).equals(Optional.of("10.1.0.3")));
      System.out.println(
          "caught up " + Duration.between(healed, Instant.now()).toMillis() + " ms after the heal");
      assertThat(source.hasSynced()).isTrue();
      await("the EndpointSlice informer watching again")
          .atMost(CATCH_UP)
          .until(
              () ->
                  registry
                          .get("fairlead.informer.watching")
                          .tag("kind", "EndpointSlice")
                          .gauge()
                          .value()
                      == 1.0);
    }
  }

  private static String slice(String address) {
    return """
        apiVersion: discovery.k8s.io/v1
        kind: EndpointSlice
        metadata:
          name: web-abc
          labels: {kubernetes.io/service-name: web}
        addressType: IPv4
        endpoints: [{addresses: [%s], conditions: {ready: true}}]
        ports: [{name: http, port: 8080}]
        """
        .formatted(address);
  }

  private static Optional<String> address(ClusterState state) {
    if (state == null) {
      return Optional.empty();
    }
    return state.endpointSlices().stream()
        .filter(s -> s.getMetadata().getName().equals("web-abc"))
        .flatMap(s -> s.getEndpoints().stream())
        .flatMap(e -> e.getAddresses().stream())
        .findFirst();
  }

  private static void apply(KubernetesClient user, String namespace, String yaml) {
    HasMetadata object = user.getKubernetesSerialization().unmarshal(yaml);
    object.getMetadata().setNamespace(namespace);
    user.resource(object).create();
  }
}
