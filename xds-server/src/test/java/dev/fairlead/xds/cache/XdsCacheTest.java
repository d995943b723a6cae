package dev.fairlead.xds.cache;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.util.Durations;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.controlplane.cache.Response;
import io.envoyproxy.controlplane.cache.XdsRequest;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class XdsCacheTest {

  private static final String FLEET = "default/edge";

  private final XdsCache cache = new XdsCache(new StreamRegistry(new SimpleMeterRegistry()));

  @Test
  void everyStreamIsSentTheSameEncodedResourceInstances() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 1))));
    List<Response> responses = new ArrayList<>();

    cache.createWatch(true, cdsRequest("n1", ""), Set.of(), responses::add, false, false);
    cache.createWatch(true, cdsRequest("n2", ""), Set.of(), responses::add, false, false);

    assertThat(responses).hasSize(2);
    List<?> first = List.copyOf(responses.get(0).resources());
    List<?> second = List.copyOf(responses.get(1).resources());
    assertThat(first).hasSize(2);
    for (int i = 0; i < first.size(); i++) {
      assertThat(second.get(i)).isSameAs(first.get(i));
    }
  }

  @Test
  void anUpdateWithUnchangedContentWakesNoWatchAndAChangeDoes() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    String current = cache.version(FLEET, ResourceType.CLUSTER).orElseThrow();
    List<Response> responses = new ArrayList<>();
    cache.createWatch(true, cdsRequest("n1", current), Set.of(), responses::add, false, false);

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    assertThat(responses).isEmpty();

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 2))));
    assertThat(responses).singleElement().satisfies(r -> assertThat(r.version()).isNotEqualTo(current));
  }

  @Test
  void anEqualMessageHandedOverAgainKeepsItsEncoding() {
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    List<Response> before = new ArrayList<>();
    cache.createWatch(true, cdsRequest("n1", ""), Set.of(), before::add, false, false);

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    List<Response> after = new ArrayList<>();
    cache.createWatch(true, cdsRequest("n2", ""), Set.of(), after::add, false, false);

    assertThat(List.copyOf(after.get(0).resources()).get(0)).isSameAs(List.copyOf(before.get(0).resources()).get(0));
  }

  @Test
  void envoyIsNotSentApiListenersWhichGrpcClientsResolveThrough() {
    Listener port = Listener.newBuilder().setName("http-80").build();
    Listener api = Listener.newBuilder().setName("shop.test")
        .setApiListener(ApiListener.newBuilder().setApiListener(Any.getDefaultInstance())).build();
    cache.setFleet(FLEET, Map.of(ResourceType.LISTENER, List.of(port, api)));
    List<Response> envoy = new ArrayList<>();
    List<Response> grpc = new ArrayList<>();

    cache.createWatch(true, ldsRequest("envoy"), Set.of(), envoy::add, false, false);
    cache.createWatch(true, ldsRequest("gRPC Java"), Set.of(), grpc::add, false, false);

    assertThat(names(envoy.get(0))).containsExactly("http-80");
    assertThat(names(grpc.get(0))).containsExactly("http-80", "shop.test");
    assertThat(envoy.get(0).version()).isNotEqualTo(grpc.get(0).version());
  }

  @Test
  void aProxyOfAFleetWithoutConfigurationWaitsUntilItExists() {
    List<Response> responses = new ArrayList<>();
    cache.createWatch(true, cdsRequest("n1", ""), Set.of(), responses::add, false, false);
    assertThat(responses).isEmpty();

    cache.setFleet(FLEET, Map.of());

    assertThat(responses).singleElement().satisfies(r -> assertThat(r.resources()).isEmpty());
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
    assertThat(one.subset(List.of("a", "missing"))).extracting(EncodedResource::name).containsExactly("a");
  }

  private static XdsRequest cdsRequest(String nodeId, String version) {
    return XdsRequest.create(DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(nodeId).setCluster(FLEET))
        .setTypeUrl(ResourceType.CLUSTER.typeUrl())
        .setVersionInfo(version)
        .build());
  }

  private static XdsRequest ldsRequest(String userAgent) {
    return XdsRequest.create(DiscoveryRequest.newBuilder()
        .setNode(Node.newBuilder().setId(userAgent).setCluster(FLEET).setUserAgentName(userAgent))
        .setTypeUrl(ResourceType.LISTENER.typeUrl())
        .build());
  }

  private static List<String> names(Response response) {
    return response.resources().stream().map(r -> io.envoyproxy.controlplane.cache.Resources.getResourceName((Any) r))
        .toList();
  }

  private static Cluster cluster(String name, int timeoutSeconds) {
    return Cluster.newBuilder().setName(name).setConnectTimeout(Durations.fromSeconds(timeoutSeconds)).build();
  }
}
