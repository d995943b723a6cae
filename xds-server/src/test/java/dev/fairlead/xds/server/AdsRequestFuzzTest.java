package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static dev.fairlead.xds.server.XdsTestResources.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.rpc.Status;
import dev.fairlead.testkit.FuzzExecutions;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the xDS server's request handling over real gRPC streams on 127.0.0.1: each input opens a
 * stream (SotW or delta) and sends one to four messages — arbitrary bytes, a discovery request
 * built from the input (types, names, nonces, versions, NACKs, subscriptions, nodes, drawn from a
 * dictionary of what proxies send and of what they should not), or such a request with bytes edited
 * — then ends its side. For every input:
 *
 * <ul>
 *   <li>the server ends the stream exactly as the protocol says: INVALID_ARGUMENT at the first
 *       message that is not a request of the method's type or names no type, or whose node is the
 *       stream's first and not printable ({@link NodeNames}), otherwise OK once the client ended
 *       its side — never UNKNOWN or INTERNAL, and never a description carrying an exception's text;
 *   <li>the stream's state is gone from the registry once it ended (nothing leaks);
 *   <li>a well-behaved proxy on another connection, there throughout, gets every change of its
 *       configuration.
 * </ul>
 *
 * Without {@code JAZZER_FUZZ} this runs the inputs kept under {@code AdsRequestFuzzTestInputs/} as
 * a regression test; {@code scripts/fuzz.sh} fuzzes for a while (see CONTRIBUTING.md).
 */
class AdsRequestFuzzTest {

  @RegisterExtension static final FuzzExecutions EXECUTIONS = new FuzzExecutions();

  private static final String FLEET = "default/edge";
  private static final List<String> TYPES =
      Arrays.stream(ResourceType.values()).map(ResourceType::typeUrl).toList();
  private static final List<String> DICTIONARY =
      List.of(
          "",
          " ",
          "*",
          "0",
          "1",
          "-1",
          "a",
          "b",
          FLEET,
          "default/",
          "/",
          "type.googleapis.com/",
          "type.googleapis.com/envoy.config.cluster.v3.Cluster ",
          "type.googleapis.com/google.protobuf.Empty",
          "xdstp://x/y",
          "\u0000",
          "é",
          "\n",
          "\u001b[31m",
          "\u202e",
          "a".repeat(300),
          "x".repeat(NodeNames.MAX_LENGTH + 1));

  private static StreamRegistry streams;
  private static XdsCache cache;
  private static XdsServer server;
  private static ManagedChannel channel;
  private static AdsTestClient canary;
  private static DiscoveryResponse canarySeen;
  private static int version;

  @BeforeAll
  static void start() {
    streams = new StreamRegistry(new SimpleMeterRegistry(), Clock.systemUTC());
    cache = new XdsCache();
    server = XdsServer.start("127.0.0.1", 0, ServerTransport.plaintext(), cache, streams);
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("canary", ++version))));
    canary = new AdsTestClient(server.port());
    canary.send(
        DiscoveryRequest.newBuilder()
            .setNode(node("canary", FLEET))
            .setTypeUrl(TYPES.get(0))
            .build());
    canarySeen = canary.next();
    ack();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    canary.close();
    channel.shutdownNow();
    server.close();
  }

  @FuzzTest(maxDuration = "30s")
  void arbitraryRequestsEndOnlyTheirOwnStream(FuzzedDataProvider data) throws Exception {
    EXECUTIONS.count();
    boolean delta = data.consumeBoolean();
    int count = data.consumeInt(1, 4);
    List<byte[]> messages = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      messages.add(
          switch (data.consumeInt(0, 2)) {
            case 0 -> data.consumeBytes(data.consumeInt(0, 256));
            case 1 -> request(data, delta).toByteArray();
            default -> edited(data, request(data, delta).toByteArray());
          });
    }

    io.grpc.Status end = RawAdsStream.exchange(channel, delta, messages, true);

    io.grpc.Status.Code expected = expectedEnd(delta, messages);
    assertThat(end.getCode()).as("how the stream ended: %s", end).isEqualTo(expected);
    if (end.getDescription() != null) {
      assertThat(end.getDescription())
          .doesNotContain("Exception")
          .doesNotContain("java.")
          .doesNotContain("com.google")
          .doesNotContain("\tat ");
    }
    await("the ended stream leaves the registry")
        .atMost(Duration.ofSeconds(5))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1))
        .until(() -> streams.proxies().stream().allMatch(p -> p.nodeId().equals("canary")));

    cache.setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("canary", ++version))));
    DiscoveryResponse next = canary.next();
    assertThat(next.getVersionInfo())
        .as("the canary's next version")
        .isNotEqualTo(canarySeen.getVersionInfo());
    canarySeen = next;
    ack();
  }

  /**
   * INVALID_ARGUMENT at the first message that is no request of the method's type, names no type,
   * or is the first to carry a node and that node's id or cluster is not printable or too long
   * ({@link NodeNames}); else OK.
   */
  private static io.grpc.Status.Code expectedEnd(boolean delta, List<byte[]> messages) {
    boolean nodeChecked = false;
    for (byte[] message : messages) {
      String typeUrl;
      Node node;
      try {
        if (delta) {
          DeltaDiscoveryRequest request = DeltaDiscoveryRequest.parseFrom(message);
          typeUrl = request.getTypeUrl();
          node = request.hasNode() ? request.getNode() : null;
        } else {
          DiscoveryRequest request = DiscoveryRequest.parseFrom(message);
          typeUrl = request.getTypeUrl();
          node = request.hasNode() ? request.getNode() : null;
        }
      } catch (InvalidProtocolBufferException e) {
        return io.grpc.Status.Code.INVALID_ARGUMENT;
      }
      if (typeUrl.isEmpty()) {
        return io.grpc.Status.Code.INVALID_ARGUMENT;
      }
      if (!nodeChecked && node != null) {
        if (NodeNames.problem(node).isPresent()) {
          return io.grpc.Status.Code.INVALID_ARGUMENT;
        }
        nodeChecked = true;
      }
    }
    return io.grpc.Status.Code.OK;
  }

  private static MessageLite request(FuzzedDataProvider data, boolean delta) {
    String typeUrl =
        data.consumeBoolean() ? TYPES.get(data.consumeInt(0, TYPES.size() - 1)) : text(data);
    List<String> names = new ArrayList<>();
    for (int i = data.consumeInt(0, 4); i > 0; i--) {
      names.add(text(data));
    }
    Status nack = Status.newBuilder().setCode(data.consumeInt()).setMessage(text(data)).build();
    boolean nacking = data.consumeBoolean();
    boolean identified = data.consumeBoolean();
    if (delta) {
      DeltaDiscoveryRequest.Builder request =
          DeltaDiscoveryRequest.newBuilder()
              .setTypeUrl(typeUrl)
              .addAllResourceNamesSubscribe(names)
              .setResponseNonce(text(data));
      for (int i = data.consumeInt(0, 2); i > 0; i--) {
        request.addResourceNamesUnsubscribe(text(data));
      }
      for (int i = data.consumeInt(0, 2); i > 0; i--) {
        request.putInitialResourceVersions(text(data), text(data));
      }
      if (nacking) {
        request.setErrorDetail(nack);
      }
      if (identified) {
        request.setNode(node(text(data), data.consumeBoolean() ? FLEET : text(data)));
      }
      return request.build();
    }
    DiscoveryRequest.Builder request =
        DiscoveryRequest.newBuilder()
            .setTypeUrl(typeUrl)
            .addAllResourceNames(names)
            .setVersionInfo(text(data))
            .setResponseNonce(text(data));
    if (nacking) {
      request.setErrorDetail(nack);
    }
    if (identified) {
      request.setNode(node(text(data), data.consumeBoolean() ? FLEET : text(data)));
    }
    return request.build();
  }

  /** A string from the dictionary, or of the input. */
  private static String text(FuzzedDataProvider data) {
    return data.consumeBoolean()
        ? DICTIONARY.get(data.consumeInt(0, DICTIONARY.size() - 1))
        : data.consumeString(data.consumeInt(0, 64));
  }

  /** {@code bytes} with up to four bytes overwritten, and possibly cut short. */
  private static byte[] edited(FuzzedDataProvider data, byte[] bytes) {
    if (bytes.length == 0) {
      return bytes;
    }
    byte[] edited = bytes.clone();
    for (int i = data.consumeInt(1, 4); i > 0; i--) {
      edited[data.consumeInt(0, edited.length - 1)] = data.consumeByte();
    }
    return data.consumeBoolean()
        ? Arrays.copyOf(edited, data.consumeInt(0, edited.length))
        : edited;
  }

  private static void ack() {
    canary.send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(TYPES.get(0))
            .setVersionInfo(canarySeen.getVersionInfo())
            .setResponseNonce(canarySeen.getNonce())
            .build());
  }
}
