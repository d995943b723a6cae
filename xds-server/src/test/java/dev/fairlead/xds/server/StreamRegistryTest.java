package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.rpc.Status;
import dev.fairlead.xds.cache.Answer.Holds;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Answer.Standing;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The registry of open streams: what the rest of Fairlead reads of them, the meters and the
 * rejection listeners.
 */
class StreamRegistryTest {

  private static final String FLEET = "default/edge";

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final StreamRegistry registry = new StreamRegistry(meters, Clock.systemUTC());
  private final AtomicInteger rejectionChanges = new AtomicInteger();

  StreamRegistryTest() {
    registry.onRejectionsChanged(rejectionChanges::incrementAndGet);
  }

  @Test
  void proxiesAreTheIdentifiedOpenStreamsInOrderOfTheirIds() {
    StreamState second = registry.open(2);
    StreamState first = registry.open(1);
    registry.open(3);
    registry.request(second, cds("n2", "", ""));
    registry.request(
        first,
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node("n1", FLEET))
            .setTypeUrl(ResourceType.CLUSTER.typeUrl())
            .build());

    assertThat(registry.proxies()).extracting(ProxyStatus::nodeId).containsExactly("n1", "n2");
    assertThat(streams("CDS", "sotw")).isEqualTo(1);
    assertThat(streams("CDS", "delta")).isEqualTo(1);
    assertThat(streams("EDS", "sotw")).isZero();

    registry.closed(2);
    assertThat(registry.proxies()).extracting(ProxyStatus::nodeId).containsExactly("n1");
    assertThat(streams("CDS", "sotw")).isZero();
  }

  @Test
  void listenersHearOfEveryChangeOfTheCurrentRejectionsAndNackedResponsesAreCounted() {
    StreamState stream = rejecting(registry.open(1));

    assertThat(registry.currentNacks())
        .singleElement()
        .satisfies(
            nack -> {
              assertThat(nack.nodeId()).isEqualTo("n1");
              assertThat(nack.rejectedVersion()).isEqualTo("1-a");
            });
    assertThat(rejectionChanges).hasValue(1);
    assertThat(meters.get("fairlead.xds.nacks").tag("type", "CDS").counter().count()).isEqualTo(1);
    assertThat(
            meters
                .get("fairlead.xds.pushes")
                .tag("type", "CDS")
                .tag("mode", "sotw")
                .counter()
                .count())
        .isEqualTo(1);

    registry.noted(stream, new Holds(ResourceType.CLUSTER, 1, Standing.UP_TO_DATE, -1, List.of()));
    assertThat(rejectionChanges).as("nothing changed").hasValue(1);
    registry.noted(
        stream, new Holds(ResourceType.CLUSTER, 1, Standing.CURRENT_VERSION, -1, List.of()));
    assertThat(rejectionChanges).hasValue(2);
    assertThat(registry.currentNacks()).isEmpty();
  }

  @Test
  void aStreamClosingWithARejectionTellsTheListeners() {
    rejecting(registry.open(1));

    registry.closed(1);
    registry.closed(1);

    assertThat(rejectionChanges).hasValue(2);
    assertThat(registry.currentNacks()).isEmpty();
  }

  @Test
  void aRequestOfATypeFairleadDoesNotServeIsNotTaken() {
    StreamState stream = registry.open(1);

    assertThat(
            registry.request(
                stream,
                DiscoveryRequest.newBuilder()
                    .setNode(node("n1", FLEET))
                    .setTypeUrl("type.googleapis.com/envoy.service.runtime.v3.Runtime")
                    .build()))
        .isEmpty();
    assertThat(registry.proxies()).extracting(ProxyStatus::nodeId).containsExactly("n1");
  }

  /** Sends {@code stream} a cluster response, version 1-a, which its proxy rejects. */
  private StreamState rejecting(StreamState stream) {
    registry.request(stream, cds("n1", "", ""));
    registry.sent(
        stream,
        "0",
        new Response(ResourceType.CLUSTER, "1-a", List.of(), List.of(), 1, -1, -1, List.of()),
        false);
    registry.request(
        stream,
        cds("n1", "", "0").toBuilder()
            .setErrorDetail(Status.newBuilder().setMessage("bad"))
            .build());
    return stream;
  }

  private double streams(String type, String mode) {
    return meters.get("fairlead.xds.streams").tag("type", type).tag("mode", mode).gauge().value();
  }

  private static DiscoveryRequest cds(String nodeId, String version, String nonce) {
    return DiscoveryRequest.newBuilder()
        .setNode(node(nodeId, FLEET))
        .setTypeUrl(ResourceType.CLUSTER.typeUrl())
        .setVersionInfo(version)
        .setResponseNonce(nonce)
        .build();
  }
}
