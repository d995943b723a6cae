package dev.fairlead.xds.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import dev.fairlead.xds.cache.Answer.Holds;
import dev.fairlead.xds.cache.Answer.RejectedGone;
import dev.fairlead.xds.cache.Answer.Response;
import dev.fairlead.xds.cache.Answer.Standing;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The cache through the interface the ADS service uses: subscriptions in, answers out. */
class XdsCacheTest {

  private static final String FLEET = "default/edge";
  private static final Proxy ENVOY = new Proxy("n1", FLEET, Audience.ENVOY);

  private final XdsCache cache = new XdsCache();

  @Test
  void everyStreamIsSentTheSameEncodedResourceInstances() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 1))));
    List<Answer> answers = new ArrayList<>();

    cache.watchSotw(clusters(new Proxy("n1", FLEET, Audience.ENVOY), ""), answers::add);
    cache.watchSotw(clusters(new Proxy("n2", FLEET, Audience.ENVOY), ""), answers::add);

    List<Response> responses = responses(answers);
    assertThat(responses).hasSize(2);
    List<EncodedResource> first = responses.get(0).resources();
    List<EncodedResource> second = responses.get(1).resources();
    assertThat(first).hasSize(2);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).isSameAs(first.get(i));
    }
  }

  @Test
  void anUpdateWithUnchangedContentWakesNoWatchAndAChangeDoes() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    String current = cache.version(FLEET, ResourceType.CLUSTER).orElseThrow();
    List<Answer> answers = new ArrayList<>();
    cache.watchSotw(clusters(ENVOY, current), answers::add);
    assertThat(answers)
        .singleElement()
        .isInstanceOfSatisfying(
            Holds.class, holds -> assertThat(holds.standing()).isEqualTo(Standing.CURRENT_VERSION));

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    assertThat(responses(answers)).isEmpty();

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
    assertThat(responses(answers))
        .singleElement()
        .satisfies(r -> assertThat(r.version()).isNotEqualTo(current));
  }

  @Test
  void anEqualMessageHandedOverAgainKeepsItsEncoding() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    List<Answer> before = new ArrayList<>();
    cache.watchSotw(clusters(ENVOY, ""), before::add);

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    List<Answer> after = new ArrayList<>();
    cache.watchSotw(clusters(ENVOY, ""), after::add);

    assertThat(responses(after).get(0).resources().get(0))
        .isSameAs(responses(before).get(0).resources().get(0));
  }

  @Test
  void envoyIsNotSentApiListenersWhichGrpcClientsResolveThrough() {
    Listener port = Listener.newBuilder().setName("http-80").build();
    Listener api =
        Listener.newBuilder()
            .setName("shop.test")
            .setApiListener(ApiListener.newBuilder().setApiListener(Any.getDefaultInstance()))
            .build();
    cache.setFleet(FLEET, Map.of(ResourceType.LISTENER, List.of(port, api)));
    List<Answer> envoy = new ArrayList<>();
    List<Answer> grpc = new ArrayList<>();

    cache.watchSotw(wildcard(ENVOY, ResourceType.LISTENER, ""), envoy::add);
    cache.watchSotw(
        wildcard(new Proxy("gRPC Java", FLEET, Audience.XDS_CLIENT), ResourceType.LISTENER, ""),
        grpc::add);

    assertThat(names(responses(envoy).get(0))).containsExactly("http-80");
    assertThat(names(responses(grpc).get(0))).containsExactly("http-80", "shop.test");
    assertThat(responses(envoy).get(0).version()).isNotEqualTo(responses(grpc).get(0).version());
  }

  @Test
  void aProxyOfAFleetWithoutConfigurationWaitsUntilItExists() {
    List<Answer> answers = new ArrayList<>();
    Watch watch = cache.watchSotw(clusters(ENVOY, ""), answers::add);
    assertThat(answers).isEmpty();
    assertThat(watch.firstChange()).isZero();

    cache.setFleet(FLEET, Map.of());

    assertThat(answers)
        .singleElement()
        .isInstanceOfSatisfying(
            Response.class,
            r -> {
              assertThat(r.resources()).isEmpty();
              assertThat(r.change()).isEqualTo(1);
              assertThat(r.firstObservedNanos()).isNotNegative();
            });
  }

  @Test
  void aProxyNamingNoFleetIsNeverAnswered() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    List<Answer> answers = new ArrayList<>();

    Watch watch = cache.watchSotw(clusters(new Proxy("n1", "", Audience.ENVOY), ""), answers::add);

    assertThat(watch.firstChange()).isEqualTo(-1);
    assertThat(answers).isEmpty();
  }

  @Test
  void aCancelledWatchIsToldNothingMore() {
    List<Answer> answers = new ArrayList<>();
    Watch watch = cache.watchSotw(clusters(ENVOY, ""), answers::add);

    watch.cancel();
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));

    assertThat(answers).isEmpty();
  }

  @Test
  void aRejectedVersionIsNotSentAgainButTheNextOneIs() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    String rejected = cache.version(FLEET, ResourceType.CLUSTER).orElseThrow();
    List<Answer> answers = new ArrayList<>();

    cache.watchSotw(
        new SotwSubscription(
            ENVOY,
            ResourceType.CLUSTER,
            Set.of(),
            Set.of(),
            false,
            "",
            Optional.of(rejected),
            Optional.of(List.of("a")),
            false,
            -1,
            0),
        answers::add);
    assertThat(answers).isEmpty();

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
    assertThat(responses(answers))
        .singleElement()
        .satisfies(r -> assertThat(r.version()).isNotEqualTo(rejected));
  }

  @Test
  void aNamedStreamHoldingEverythingAsOfASequenceIsSentOnlyWhatChangedSince() {
    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1), endpoints("b", 1))));
    List<Answer> first = new ArrayList<>();
    cache.watchSotw(named(Set.of("a", "b"), true, -1), first::add);
    Response all = responses(first).get(0);
    assertThat(names(all)).containsExactly("a", "b");

    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1), endpoints("b", 2))));
    List<Answer> next = new ArrayList<>();
    cache.watchSotw(named(Set.of("a", "b"), false, all.sequence()), next::add);

    assertThat(responses(next))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(names(r)).containsExactly("b");
              assertThat(r.version())
                  .isEqualTo(cache.version(FLEET, ResourceType.ENDPOINT).orElseThrow());
            });
  }

  @Test
  void aNamedStreamThatHoldsWhatItAsksForIsToldSoAndThatItsRejectedResourcesAreGone() {
    cache.setFleet(FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 1))));
    String version = cache.version(FLEET, ResourceType.ENDPOINT).orElseThrow();
    List<Answer> answers = new ArrayList<>();
    long sequence = 1;

    cache.watchSotw(
        new SotwSubscription(
            ENVOY,
            ResourceType.ENDPOINT,
            Set.of("a"),
            Set.of(),
            false,
            "old",
            Optional.empty(),
            Optional.of(List.of("b")),
            false,
            sequence,
            0),
        answers::add);

    assertThat(answers).hasSize(2);
    assertThat(answers.get(0)).isEqualTo(new RejectedGone(ResourceType.ENDPOINT, List.of("b")));
    assertThat(answers.get(1))
        .isInstanceOfSatisfying(
            Holds.class,
            holds -> {
              assertThat(holds.standing()).isEqualTo(Standing.UP_TO_DATE);
              assertThat(holds.sequence()).isEqualTo(sequence);
            });
    assertThat(version).isNotEqualTo("old");
  }

  @Test
  void aNamedStreamAcknowledgingTheCurrentSetDoesNotClearARejectionOfAResourceInIt() {
    cache.setFleet(
        FLEET, Map.of(ResourceType.ENDPOINT, List.of(endpoints("a", 2), endpoints("b", 2))));
    String current = cache.version(FLEET, ResourceType.ENDPOINT).orElseThrow();
    List<Answer> answers = new ArrayList<>();

    // The ACK of a response that carried b only, while the proxy's rejection of a stands.
    cache.watchSotw(
        new SotwSubscription(
            ENVOY,
            ResourceType.ENDPOINT,
            Set.of("a", "b"),
            Set.of(),
            false,
            current,
            Optional.empty(),
            Optional.of(List.of("a")),
            false,
            2,
            0),
        answers::add);

    assertThat(answers)
        .singleElement()
        .isInstanceOfSatisfying(
            Holds.class, holds -> assertThat(holds.standing()).isEqualTo(Standing.UP_TO_DATE));
  }

  @Test
  void aReconnectingDeltaClientIsSentWhatDiffersAndToldWhatIsGone() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 2))));
    String aVersion = EncodedResource.encode(ResourceType.CLUSTER, cluster("a", 1)).version();
    String bOld = EncodedResource.encode(ResourceType.CLUSTER, cluster("b", 1)).version();
    List<Answer> answers = new ArrayList<>();

    cache.watchDelta(
        new DeltaSubscription(
            ENVOY,
            ResourceType.CLUSTER,
            Map.of("a", aVersion, "b", bOld, "gone", "x"),
            Set.of("a", "b", "gone"),
            Set.of(),
            Map.of(),
            Set.of(),
            -1,
            true,
            -1),
        answers::add);

    assertThat(responses(answers))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(names(r)).containsExactly("b");
              assertThat(r.removed()).containsExactly("gone");
            });
  }

  @Test
  void aDeltaStreamIsNotSentARejectedVersionAndIsToldWhenTheRejectedResourceIsGone() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    String aVersion = EncodedResource.encode(ResourceType.CLUSTER, cluster("a", 1)).version();
    List<Answer> answers = new ArrayList<>();

    cache.watchDelta(
        new DeltaSubscription(
            ENVOY,
            ResourceType.CLUSTER,
            Map.of(),
            Set.of(),
            Set.of(),
            Map.of("a", aVersion),
            Set.of(),
            0,
            false,
            0),
        answers::add);
    assertThat(answers)
        .singleElement()
        .isInstanceOfSatisfying(
            Holds.class,
            holds -> {
              assertThat(holds.standing()).isEqualTo(Standing.WITHHELD);
              assertThat(holds.sequence()).isEqualTo(1);
            });

    cache.setFleet(FLEET, Map.of());

    assertThat(answers).hasSize(3);
    assertThat(answers.get(1)).isEqualTo(new RejectedGone(ResourceType.CLUSTER, List.of("a")));
    assertThat(answers.get(2))
        .isInstanceOfSatisfying(
            Holds.class,
            holds -> {
              assertThat(holds.standing()).isEqualTo(Standing.UP_TO_DATE);
              assertThat(holds.sequence()).isEqualTo(2);
            });
  }

  @Test
  void answersAreHandedOverWithNoLockOfTheCacheHeld() {
    List<Answer> answers = new ArrayList<>();
    cache.watchSotw(
        clusters(ENVOY, ""),
        answer -> {
          // Another thread reads the fleet: it would wait forever if the fleet's lock were held
          // here.
          String seen =
              CompletableFuture.supplyAsync(
                      () -> cache.version(FLEET, ResourceType.CLUSTER).orElseThrow())
                  .orTimeout(10, TimeUnit.SECONDS)
                  .join();
          assertThat(seen).isEqualTo(((Response) answer).version());
          answers.add(answer);
        });

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));

    assertThat(answers).hasSize(1);
  }

  @Test
  void streamsWatchingAndCancellingWhileTheFleetChangesAreEachAnsweredWithTheLatestVersion()
      throws Exception {
    int changes = 300;
    int streams = 3;
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 0))));
    ExecutorService threads = Executors.newFixedThreadPool(streams + 1);
    AtomicBoolean published = new AtomicBoolean();
    try {
      List<Future<String>> held = new ArrayList<>();
      for (int s = 0; s < streams; s++) {
        Proxy proxy = new Proxy("n" + s, FLEET, Audience.ENVOY);
        // Each stream asks again with what it last got, cancelling its open watch as the ADS
        // service does.
        held.add(
            threads.submit(
                () -> {
                  BlockingQueue<Response> responses = new LinkedBlockingQueue<>();
                  String version = "";
                  Watch open = null;
                  while (!published.get()
                      || !version.equals(
                          cache.version(FLEET, ResourceType.CLUSTER).orElseThrow())) {
                    if (open != null) {
                      open.cancel();
                    }
                    open =
                        cache.watchSotw(
                            clusters(proxy, version),
                            answer -> {
                              if (answer instanceof Response response) {
                                responses.add(response);
                              }
                            });
                    Response next = responses.poll(10, TimeUnit.MILLISECONDS);
                    if (next != null) {
                      version = next.version();
                    }
                  }
                  if (open != null) {
                    open.cancel();
                  }
                  return version;
                }));
      }
      Future<?> producer =
          threads.submit(
              () -> {
                for (int i = 1; i <= changes; i++) {
                  cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", i))));
                }
                published.set(true);
              });
      producer.get(30, TimeUnit.SECONDS);
      String last = cache.version(FLEET, ResourceType.CLUSTER).orElseThrow();
      for (Future<String> stream : held) {
        assertThat(stream.get(30, TimeUnit.SECONDS)).isEqualTo(last);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void theSetVersionIsIndependentOfOrderAndReturnsWhenAChangeIsUndone() {
    TypeResources one = new TypeResources();
    TypeResources other = new TypeResources();
    EncodedResource a = EncodedResource.encode(ResourceType.CLUSTER, cluster("a", 1));
    EncodedResource b = EncodedResource.encode(ResourceType.CLUSTER, cluster("b", 1));
    EncodedResource b2 = EncodedResource.encode(ResourceType.CLUSTER, cluster("b", 2));
    one.put(a);
    one.put(b);
    other.put(b);
    other.put(a);
    String before = one.version();

    assertThat(other.version()).isEqualTo(before);
    assertThat(one.put(b)).as("same content is no change").isFalse();
    assertThat(one.put(b2)).isTrue();
    assertThat(one.version()).isNotEqualTo(before);
    one.put(b);
    assertThat(one.version()).isEqualTo(before);
    one.remove("b");
    assertThat(one.version()).isNotEqualTo(before);
    assertThat(one.subset(List.of("a", "missing")))
        .extracting(EncodedResource::name)
        .containsExactly("a");
  }

  @Test
  void aFleetNeverSetLeavesTheCacheWithItsLastWatch() {
    for (int i = 0; i < 100; i++) {
      Proxy made = new Proxy("n" + i, "made-up/" + i, Audience.ENVOY);
      Watch watch = cache.watchSotw(clusters(made, ""), answer -> {});
      watch.cancel();
    }
    Watch waiting = cache.watchSotw(clusters(ENVOY, ""), answer -> {});
    assertThat(cache.fleetCount()).isEqualTo(1);

    waiting.cancel();
    assertThat(cache.fleetCount()).isZero();
  }

  @Test
  void aFleetSetStaysWhenItsWatchesGo() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    String current = cache.version(FLEET, ResourceType.CLUSTER).orElseThrow();
    cache.watchSotw(clusters(ENVOY, current), answer -> {}).cancel();

    assertThat(cache.fleetCount()).isEqualTo(1);
    assertThat(cache.version(FLEET, ResourceType.CLUSTER)).contains(current);
  }

  @Test
  void aWatchOnAFleetThatRetiredAndCameBackIsAnsweredWhenTheFleetIsSet() {
    cache.watchSotw(clusters(ENVOY, ""), answer -> {}).cancel(); // the fleet retires
    List<Answer> answers = new ArrayList<>();
    cache.watchSotw(clusters(ENVOY, ""), answers::add);

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));

    assertThat(responses(answers))
        .singleElement()
        .satisfies(r -> assertThat(names(r)).containsExactly("a"));
  }

  @Test
  void aFleetSetWhileItsWatchesComeAndGoIsNeverLost() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 50; round++) {
        XdsCache fresh = new XdsCache();
        Future<?> churn =
            threads.submit(
                () -> {
                  for (int i = 0; i < 200; i++) {
                    fresh.watchSotw(clusters(ENVOY, ""), answer -> {}).cancel();
                  }
                });
        Future<?> set =
            threads.submit(
                () ->
                    fresh.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1)))));
        set.get(30, TimeUnit.SECONDS);
        churn.get(30, TimeUnit.SECONDS);

        List<Answer> answers = new ArrayList<>();
        fresh.watchSotw(clusters(ENVOY, ""), answers::add);
        assertThat(responses(answers)).as("round %d", round).hasSize(1);
        assertThat(fresh.fleetCount()).isEqualTo(1);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  private static SotwSubscription clusters(Proxy proxy, String version) {
    return wildcard(proxy, ResourceType.CLUSTER, version);
  }

  private static SotwSubscription wildcard(Proxy proxy, ResourceType type, String version) {
    return new SotwSubscription(
        proxy,
        type,
        Set.of(),
        Set.of(),
        false,
        version,
        Optional.empty(),
        Optional.empty(),
        false,
        -1,
        -1);
  }

  private static SotwSubscription named(Set<String> names, boolean firstOfType, long heldAsOf) {
    return new SotwSubscription(
        ENVOY,
        ResourceType.ENDPOINT,
        names,
        Set.of(),
        firstOfType,
        "",
        Optional.empty(),
        Optional.empty(),
        false,
        heldAsOf,
        0);
  }

  private static List<Response> responses(List<Answer> answers) {
    return answers.stream().filter(Response.class::isInstance).map(Response.class::cast).toList();
  }

  private static List<String> names(Response response) {
    return response.resources().stream().map(EncodedResource::name).toList();
  }

  private static Cluster cluster(String name, int timeoutSeconds) {
    return Cluster.newBuilder()
        .setName(name)
        .setConnectTimeout(Durations.fromSeconds(timeoutSeconds))
        .build();
  }

  private static ClusterLoadAssignment endpoints(String name, int weight) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(name)
        .setPolicy(
            ClusterLoadAssignment.Policy.newBuilder()
                .setOverprovisioningFactor(com.google.protobuf.UInt32Value.of(100 + weight)))
        .build();
  }
}
