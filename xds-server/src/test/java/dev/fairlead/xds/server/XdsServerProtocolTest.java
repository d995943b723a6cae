package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static dev.fairlead.xds.server.XdsTestResources.cluster;
import static dev.fairlead.xds.server.XdsTestResources.names;
import static dev.fairlead.xds.server.XdsTestResources.route;
import static dev.fairlead.xds.server.XdsTestResources.secret;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.Durations;
import com.google.rpc.Status;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The xDS protocol behaviour that java-control-plane's stock cache gets wrong, checked over real
 * gRPC streams on 127.0.0.1 against Fairlead's cache (see shared/STACK.md).
 */
class XdsServerProtocolTest {

  private static final String FLEET = "default/edge";
  private static final String CDS = ResourceType.CLUSTER.typeUrl();
  private static final String EDS = ResourceType.ENDPOINT.typeUrl();

  @RegisterExtension final TestXdsServer server = new TestXdsServer();
  private StreamRegistry streams;
  private XdsCache cache;

  @BeforeEach
  void start() {
    streams = server.streams();
    cache = server.cache();
  }

  @Test
  void aNackedVersionIsNotSentAgainAndTheRejectionIsRecordedUntilALaterVersionIsAccepted()
      throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DiscoveryResponse rejected = envoy.next();

      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setResponseNonce(rejected.getNonce())
              .setErrorDetail(Status.newBuilder().setCode(3).setMessage("cluster a: bad timeout"))
              .build());
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().size() == 1);
      Nack nack = streams.currentNacks().get(0);
      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
      DiscoveryResponse next = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setVersionInfo(next.getVersionInfo())
              .setResponseNonce(next.getNonce())
              .build());

      // Had the rejected version been re-sent, it would be the next response here.
      assertThat(next.getVersionInfo()).isNotEqualTo(rejected.getVersionInfo());
      assertThat(unpackClusters(next))
          .singleElement()
          .satisfies(c -> assertThat(c.getConnectTimeout()).isEqualTo(Durations.fromSeconds(2)));
      assertThat(nack)
          .isEqualTo(
              new Nack(
                  "n1",
                  FLEET,
                  ResourceType.CLUSTER,
                  rejected.getVersionInfo(),
                  List.of("a"),
                  "cluster a: bad timeout"));
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().isEmpty());
      assertThat(streams.proxies())
          .singleElement()
          .satisfies(
              p -> assertThat(p.acked(ResourceType.CLUSTER)).hasValue(next.getVersionInfo()));
    }
  }

  @Test
  void goingBackToTheVersionAProxyAcceptedBeforeItsNackSendsThatVersionAgain() throws Exception {
    // Envoy applies part of a rejected state-of-the-world response (e.g. removes a listener while
    // failing to add another), so after a NACK it may not hold the version its requests name.
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DiscoveryResponse accepted = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setVersionInfo(accepted.getVersionInfo())
              .setResponseNonce(accepted.getNonce())
              .build());
      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
      DiscoveryResponse rejected = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setVersionInfo(accepted.getVersionInfo())
              .setResponseNonce(rejected.getNonce())
              .setErrorDetail(Status.newBuilder().setMessage("no"))
              .build());
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().size() == 1);

      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
      DiscoveryResponse again = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setVersionInfo(again.getVersionInfo())
              .setResponseNonce(again.getNonce())
              .build());

      assertThat(again.getVersionInfo()).isEqualTo(accepted.getVersionInfo());
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().isEmpty());
      assertThat(streams.proxies())
          .singleElement()
          .satisfies(
              proxy -> {
                assertThat(proxy.acked(ResourceType.CLUSTER)).hasValue(accepted.getVersionInfo());
                assertThat(proxy.sent(ResourceType.CLUSTER)).hasValue(accepted.getVersionInfo());
              });
    }
  }

  @Test
  void aRouteAskedForAgainAfterAnEmptySubscriptionIsSentAgainAndTheEmptyOneGetsNothing()
      throws Exception {
    // Envoy with no listener left asks for no routes; when a listener comes back it names its route
    // again with the version_info it had, though it dropped that route meanwhile. Answering the
    // empty request with every route would be ignored and asked again, in a loop.
    String rds = ResourceType.ROUTE.typeUrl();
    cache.setFleet(FLEET, Map.of(ResourceType.ROUTE, List.of(route("a", 1), route("b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(rds)
              .addResourceNames("a")
              .build());
      DiscoveryResponse first = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(rds)
              .addResourceNames("a")
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(first.getNonce())
              .build());
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(rds)
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(first.getNonce())
              .build());
      cache.setFleet(FLEET, Map.of(ResourceType.ROUTE, List.of(route("a", 1), route("b", 2))));

      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(rds)
              .addResourceNames("a")
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(first.getNonce())
              .build());
      DiscoveryResponse again = envoy.next();

      assertThat(names(again))
          .as("the route named again, and nothing for the empty request")
          .containsExactly("a");
      assertThat(again.getVersionInfo())
          .isEqualTo(cache.version(FLEET, ResourceType.ROUTE).orElseThrow());
    }
  }

  @Test
  void secretsGoOutByNameBeforeTheListenerNamingThemAndARotatedSecretLeavesTheListenerAlone()
      throws Exception {
    String sds = ResourceType.SECRET.typeUrl();
    String lds = ResourceType.LISTENER.typeUrl();
    cache.setFleet(
        FLEET, Map.of(ResourceType.SECRET, List.of(secret("web/a", 1), secret("web/b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(lds).build());
      DiscoveryResponse noListeners = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(lds)
              .setVersionInfo(noListeners.getVersionInfo())
              .setResponseNonce(noListeners.getNonce())
              .build());
      envoy.send(DiscoveryRequest.newBuilder().setTypeUrl(sds).addResourceNames("web/a").build());
      DiscoveryResponse first = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(sds)
              .addResourceNames("web/a")
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(first.getNonce())
              .build());
      awaitAcked(ResourceType.SECRET, first.getVersionInfo());

      Listener listener = Listener.newBuilder().setName("http-443").build();
      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.SECRET,
              List.of(secret("web/a", 2), secret("web/b", 1)),
              ResourceType.LISTENER,
              List.of(listener)));
      DiscoveryResponse secretFirst = envoy.next();
      DiscoveryResponse listenerAfter = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(sds)
              .addResourceNames("web/a")
              .setVersionInfo(secretFirst.getVersionInfo())
              .setResponseNonce(secretFirst.getNonce())
              .build());
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(lds)
              .setVersionInfo(listenerAfter.getVersionInfo())
              .setResponseNonce(listenerAfter.getNonce())
              .build());
      awaitAcked(ResourceType.SECRET, secretFirst.getVersionInfo());
      awaitAcked(ResourceType.LISTENER, listenerAfter.getVersionInfo());
      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.SECRET,
              List.of(secret("web/a", 3), secret("web/b", 1)),
              ResourceType.LISTENER,
              List.of(listener)));
      DiscoveryResponse rotated = envoy.next();

      assertThat(first.getTypeUrl()).isEqualTo(sds);
      assertThat(names(first)).as("only the secret asked for").containsExactly("web/a");
      assertThat(secretFirst.getTypeUrl()).isEqualTo(sds);
      assertThat(listenerAfter.getTypeUrl()).isEqualTo(lds);
      assertThat(names(listenerAfter)).containsExactly("http-443");
      assertThat(rotated.getTypeUrl()).as("a rotation is an SDS response alone").isEqualTo(sds);
      assertThat(
              rotated
                  .getResources(0)
                  .unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret.class))
          .isEqualTo(secret("web/a", 3));
      assertThat(cache.version(FLEET, ResourceType.LISTENER))
          .hasValue(listenerAfter.getVersionInfo());
    }
  }

  @Test
  void aDeltaSubscriberGetsItsSecretsBeforeTheListenerAndOnlyTheRotatedOneAfterwards()
      throws Exception {
    String sds = ResourceType.SECRET.typeUrl();
    String lds = ResourceType.LISTENER.typeUrl();
    cache.setFleet(
        FLEET, Map.of(ResourceType.SECRET, List.of(secret("web/a", 1), secret("web/b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DeltaDiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(lds).build());
      DeltaDiscoveryResponse noListeners = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(lds)
              .setResponseNonce(noListeners.getNonce())
              .build());
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(sds)
              .addResourceNamesSubscribe("web/a")
              .addResourceNamesSubscribe("web/b")
              .build());
      DeltaDiscoveryResponse first = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(sds)
              .setResponseNonce(first.getNonce())
              .build());
      awaitAcked(ResourceType.SECRET, first.getSystemVersionInfo());

      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.SECRET,
              List.of(secret("web/a", 2), secret("web/b", 1)),
              ResourceType.LISTENER,
              List.of(Listener.newBuilder().setName("http-443").build())));
      DeltaDiscoveryResponse secretFirst = envoy.nextDelta();
      DeltaDiscoveryResponse listenerAfter = envoy.nextDelta();

      assertThat(first.getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("web/a", "web/b");
      assertThat(secretFirst.getTypeUrl()).isEqualTo(sds);
      assertThat(secretFirst.getResourcesList())
          .as("only the secret that changed")
          .extracting(Resource::getName)
          .containsExactly("web/a");
      assertThat(listenerAfter.getTypeUrl()).isEqualTo(lds);
      assertThat(listenerAfter.getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("http-443");
    }
  }

  /**
   * Waits until the one proxy's acknowledgement of {@code version} of {@code type} is taken in: a
   * watch opens only then, and the cache answers open watches of one update in type order.
   */
  private void awaitAcked(ResourceType type, String version) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                streams.proxies().size() == 1
                    && streams.proxies().get(0).acked(type).filter(version::equals).isPresent());
  }

  @Test
  void aProxySendingItsNodeOnlyOnceStaysInItsFleet() throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(
            ResourceType.CLUSTER,
            List.of(cluster("a", 1)),
            ResourceType.ENDPOINT,
            List.of(endpoints("a"))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(DiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      envoy.next();
      envoy.send(DiscoveryRequest.newBuilder().setTypeUrl(EDS).addResourceNames("a").build());

      assertThat(envoy.next().getResourcesList()).hasSize(1);
    }
  }

  @Test
  void aRequestNamingMissingResourcesGetsThoseThatExistAndTheRestWhenTheyAppear() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a"))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(EDS)
              .addResourceNames("a")
              .addResourceNames("b")
              .build());
      DiscoveryResponse first = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .addResourceNames("a")
              .addResourceNames("b")
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(first.getNonce())
              .build());
      cache.setFleet(FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a"), endpoints("b"))));
      DiscoveryResponse second = envoy.next();

      assertThat(names(first)).containsExactly("a");
      assertThat(names(second)).as("only what the proxy lacks: it holds a").containsExactly("b");
    }
  }

  @Test
  void aStateOfTheWorldEndpointChangeSendsOnlyTheChangedAssignmentAndANewStreamGetsThemAll()
      throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(
            ResourceType.ENDPOINT,
            List.of(endpoints("a", 1), endpoints("b", 1), endpoints("c", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      DiscoveryResponse first = subscribeEndpoints(envoy, "a", "b", "c");
      ack(envoy, first, "a", "b", "c");
      cache.setFleet(
          FLEET,
          Map.of(
              ResourceType.ENDPOINT,
              List.of(endpoints("a", 1), endpoints("b", 2), endpoints("c", 1))));
      DiscoveryResponse change = envoy.next();

      assertThat(names(first)).containsExactly("a", "b", "c");
      assertThat(names(change)).containsExactly("b");
      assertThat(change.getVersionInfo())
          .isEqualTo(cache.version(FLEET, ResourceType.ENDPOINT).orElseThrow());
      assertThat(change.getResources(0).unpack(ClusterLoadAssignment.class))
          .isEqualTo(endpoints("b", 2));
    }
    try (AdsTestClient reconnected = new AdsTestClient(server.port())) {
      assertThat(names(subscribeEndpoints(reconnected, "a", "b", "c")))
          .containsExactly("a", "b", "c");
    }
  }

  @Test
  void aRejectedEndpointAssignmentIsNotSentAgainUntilItChangesAndItsRejectionStandsUntilThen()
      throws Exception {
    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      DiscoveryResponse first = subscribeEndpoints(envoy, "a", "b");
      ack(envoy, first, "a", "b");
      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 1))));
      DiscoveryResponse rejected = envoy.next();
      envoy.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .addResourceNames("a")
              .addResourceNames("b")
              .setVersionInfo(first.getVersionInfo())
              .setResponseNonce(rejected.getNonce())
              .setErrorDetail(Status.newBuilder().setMessage("a: bad endpoint"))
              .build());
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().size() == 1);

      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 2))));
      DiscoveryResponse other = envoy.next();
      ack(envoy, other, "a", "b");
      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 3), endpoints("b", 2))));
      DiscoveryResponse fixed = envoy.next();
      List<Nack> nacksBeforeFix = streams.currentNacks();
      ack(envoy, fixed, "a", "b");

      assertThat(names(rejected)).containsExactly("a");
      assertThat(names(other))
          .as("had the rejected a been sent again, it would be here")
          .containsExactly("b");
      assertThat(nacksBeforeFix)
          .as("accepting b says nothing of a")
          .singleElement()
          .satisfies(nack -> assertThat(nack.resourceNames()).containsExactly("a"));
      assertThat(names(fixed)).containsExactly("a");
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().isEmpty());
    }
  }

  @Test
  void aDeltaResourceDeletedAndCreatedAgainIsSentAgainToItsSubscriber() throws Exception {
    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      DeltaDiscoveryResponse first = subscribeDeltaEndpoints(envoy, "a", "b");
      cache.setFleet(FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("b", 1))));
      DeltaDiscoveryResponse deleted = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(deleted.getNonce())
              .build());
      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 1))));
      DeltaDiscoveryResponse back = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(back.getNonce())
              .build());
      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 3))));
      DeltaDiscoveryResponse onlyB = envoy.nextDelta();

      assertThat(first.getResourcesList()).extracting(Resource::getName).containsExactly("a", "b");
      assertThat(deleted.getResourcesList()).isEmpty();
      assertThat(deleted.getRemovedResourcesList()).containsExactly("a");
      assertThat(back.getResourcesList()).extracting(Resource::getName).containsExactly("a");
      assertThat(onlyB.getResourcesList()).extracting(Resource::getName).containsExactly("b");
      assertThat(onlyB.getRemovedResourcesList()).isEmpty();
    }
  }

  @Test
  void aDeltaResubscriptionGetsTheResourceAgainThoughItDidNotChange() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(EDS)
              .addResourceNamesSubscribe("a")
              .build());
      DeltaDiscoveryResponse first = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(first.getNonce())
              .build());
      // Envoy asks again for the endpoints of a cluster that is warming.
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .addResourceNamesSubscribe("a")
              .build());

      assertThat(envoy.nextDelta().getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("a");
    }
  }

  @Test
  void aDeltaUnsubscriptionStopsUpdatesOfThatResourceAndTheStreamGoesOn() throws Exception {
    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1), endpoints("b", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      DeltaDiscoveryResponse first = subscribeDeltaEndpoints(envoy, "a", "b");
      // After its first answer: the cluster of b went away. Asking for a again makes the server
      // answer, so the test knows the unsubscription was handled before the next change.
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .addResourceNamesUnsubscribe("b")
              .addResourceNamesSubscribe("a")
              .build());
      DeltaDiscoveryResponse again = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(EDS)
              .setResponseNonce(again.getNonce())
              .build());
      cache.setFleet(
          FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 2))));
      DeltaDiscoveryResponse change = envoy.nextDelta();

      assertThat(first.getResourcesList()).extracting(Resource::getName).containsExactly("a", "b");
      assertThat(again.getResourcesList()).extracting(Resource::getName).containsExactly("a");
      assertThat(change.getResourcesList()).extracting(Resource::getName).containsExactly("a");
      assertThat(change.getRemovedResourcesList()).isEmpty();
    }
  }

  /**
   * Subscribes a new delta stream to the endpoints of {@code names}; returns its first answer,
   * acknowledged.
   */
  private static DeltaDiscoveryResponse subscribeDeltaEndpoints(
      AdsTestClient envoy, String... names) {
    envoy.send(
        DeltaDiscoveryRequest.newBuilder()
            .setNode(node("n1", FLEET))
            .setTypeUrl(EDS)
            .addAllResourceNamesSubscribe(List.of(names))
            .build());
    DeltaDiscoveryResponse first = envoy.nextDelta();
    envoy.send(
        DeltaDiscoveryRequest.newBuilder()
            .setTypeUrl(EDS)
            .setResponseNonce(first.getNonce())
            .build());
    return first;
  }

  private static DiscoveryResponse subscribeEndpoints(AdsTestClient envoy, String... names) {
    envoy.send(
        DiscoveryRequest.newBuilder()
            .setNode(node("n1", FLEET))
            .setTypeUrl(EDS)
            .addAllResourceNames(List.of(names))
            .build());
    return envoy.next();
  }

  private static void ack(AdsTestClient envoy, DiscoveryResponse response, String... names) {
    envoy.send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(EDS)
            .addAllResourceNames(List.of(names))
            .setVersionInfo(response.getVersionInfo())
            .setResponseNonce(response.getNonce())
            .build());
  }

  @Test
  void aReconnectingDeltaClientGetsOnlyWhatChangedAndIsToldWhatWasRemoved() throws Exception {
    cache.setFleet(
        FLEET,
        Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 1), cluster("c", 1))));
    Map<String, String> held;
    try (AdsTestClient before = new AdsTestClient(server.port())) {
      before.send(
          DeltaDiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DeltaDiscoveryResponse initial = before.nextDelta();
      before.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setResponseNonce(initial.getNonce())
              .build());
      held =
          initial.getResourcesList().stream()
              .collect(Collectors.toMap(Resource::getName, Resource::getVersion));
    }
    cache.setFleet(
        FLEET,
        Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("c", 2), cluster("d", 1))));

    try (AdsTestClient after = new AdsTestClient(server.port())) {
      after.send(
          DeltaDiscoveryRequest.newBuilder()
              .setNode(node("n1", FLEET))
              .setTypeUrl(CDS)
              .putAllInitialResourceVersions(held)
              .build());
      DeltaDiscoveryResponse response = after.nextDelta();

      assertThat(held).containsOnlyKeys("a", "b", "c");
      assertThat(response.getResourcesList())
          .extracting(Resource::getName)
          .containsExactly("c", "d");
      assertThat(response.getRemovedResourcesList()).containsExactly("b");
    }
  }

  @Test
  void aDeltaNackIsNotAnsweredWithTheSameResourcesAgain() throws Exception {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    try (AdsTestClient envoy = new AdsTestClient(server.port())) {
      envoy.send(
          DeltaDiscoveryRequest.newBuilder().setNode(node("n1", FLEET)).setTypeUrl(CDS).build());
      DeltaDiscoveryResponse rejected = envoy.nextDelta();
      envoy.send(
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(CDS)
              .setResponseNonce(rejected.getNonce())
              .setErrorDetail(Status.newBuilder().setMessage("cluster a rejected"))
              .build());
      await().atMost(Duration.ofSeconds(10)).until(() -> streams.currentNacks().size() == 1);
      cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
      DeltaDiscoveryResponse next = envoy.nextDelta();

      assertThat(next.getResources(0).getVersion())
          .isNotEqualTo(rejected.getResources(0).getVersion());
      assertThat(streams.currentNacks().get(0).message()).isEqualTo("cluster a rejected");
    }
  }

  @Test
  void versionsAreContentHashesThatEveryProcessAgreesOn() {
    XdsCache one = new XdsCache();
    XdsCache other = new XdsCache();
    one.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 3))));
    other.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("b", 3), cluster("a", 1))));

    assertThat(one.version(FLEET, ResourceType.CLUSTER))
        .isEqualTo(other.version(FLEET, ResourceType.CLUSTER));
    // A constant: the same in every JVM, on every machine, after every restart.
    assertThat(one.resourceVersion(FLEET, ResourceType.CLUSTER, "a"))
        .hasValue(EXPECTED_VERSION_OF_A);
  }

  /**
   * First 128 bits of SHA-256("a" NUL bytes), where bytes is the protobuf encoding of Cluster{name:
   * "a", type: EDS, connect_timeout: 1s} = 0a 01 61 10 03 22 02 08 01, derived by hand and hashed
   * outside Java: {@code python3 -c "import hashlib; print(hashlib.sha256(b'a\\0' +
   * bytes.fromhex('0a016110032202 0801'.replace(' ', ''))).hexdigest()[:32])"}.
   */
  private static final String EXPECTED_VERSION_OF_A = "defb695a5f93bd7841e8e5e58bb8cd2a";

  private static ClusterLoadAssignment endpoints(String name) {
    return ClusterLoadAssignment.newBuilder().setClusterName(name).build();
  }

  /** An assignment whose content differs by {@code weight}. */
  private static ClusterLoadAssignment endpoints(String name, int weight) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(name)
        .addEndpoints(
            io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.newBuilder()
                .setLoadBalancingWeight(com.google.protobuf.UInt32Value.of(weight)))
        .build();
  }

  private static List<Cluster> unpackClusters(DiscoveryResponse response)
      throws InvalidProtocolBufferException {
    List<Cluster> clusters = new java.util.ArrayList<>();
    for (Any any : response.getResourcesList()) {
      clusters.add(any.unpack(Cluster.class));
    }
    return clusters;
  }
}
