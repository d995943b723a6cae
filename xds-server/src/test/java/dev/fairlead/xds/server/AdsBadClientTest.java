package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static dev.fairlead.xds.server.XdsTestResources.cluster;
import static dev.fairlead.xds.server.XdsTestResources.names;
import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * xDS clients that send what the server cannot use, over real gRPC streams on 127.0.0.1: bytes that
 * are not a discovery request, a request over the size bound, a request without a type. Each ends
 * its own stream with a status that says what was wrong in protocol terms — INVALID_ARGUMENT, or
 * RESOURCE_EXHAUSTED for the size — never UNKNOWN and never an exception's text; a well-behaved
 * stream on the same connection keeps getting its updates, and the server takes new streams
 * afterwards. (A client that stops reading is {@link AdsFlowControlTest}'s.)
 */
class AdsBadClientTest {

  private static final String FLEET = "default/edge";
  private static final String CDS = ResourceType.CLUSTER.typeUrl();

  /** Not protobuf: a field tag of number 0. */
  private static final byte[] TAG_ZERO = {0, 1, 2, 3};

  /** A truncated varint. */
  private static final byte[] TRUNCATED = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

  /** Field 1 (version_info, a string) holding bytes that are not UTF-8. */
  private static final byte[] NOT_UTF8 = {10, 2, (byte) 0xc3, (byte) 0x28};

  @RegisterExtension final TestXdsServer server = new TestXdsServer();

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tag zero", "truncated", "not UTF-8"})
  void bytesThatAreNotADiscoveryRequestEndTheirStreamOnlyWithInvalidArgument(String kind)
      throws Exception {
    byte[] garbage =
        switch (kind) {
          case "tag zero" -> TAG_ZERO;
          case "truncated" -> TRUNCATED;
          default -> NOT_UTF8;
        };
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (AdsTestClient envoy = new AdsTestClient(channel)) {
      DiscoveryResponse first = subscribe(envoy);

      Status sotw = rawStream(channel, false, garbage);
      Status delta = rawStream(channel, true, garbage);

      assertThat(sotw.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(sotw.getDescription())
          .contains("request: not a valid DiscoveryRequest (protobuf decoding failed)");
      assertThat(delta.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(delta.getDescription())
          .contains("request: not a valid DeltaDiscoveryRequest (protobuf decoding failed)");
      assertSaysNothingOfJava(sotw);
      assertSaysNothingOfJava(delta);
      assertTheGoodStreamGoesOn(envoy, first);
    }
  }

  @Test
  void aRequestOverTheSizeBoundEndsItsStreamOnlyWithResourceExhausted() throws Exception {
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    DiscoveryRequest.Builder huge =
        DiscoveryRequest.newBuilder().setNode(node("big", FLEET)).setTypeUrl(CDS);
    String name = "n".repeat(1000);
    for (int i = 0; huge.build().getSerializedSize() <= XdsServer.MAX_REQUEST_BYTES; i++) {
      huge.addResourceNames(name + i);
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (AdsTestClient envoy = new AdsTestClient(channel)) {
      DiscoveryResponse first = subscribe(envoy);

      Status status = rawStream(channel, false, huge.build().toByteArray());

      assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertSaysNothingOfJava(status);
      assertTheGoodStreamGoesOn(envoy, first);
    }
  }

  @Test
  void aRequestWithoutATypeEndsItsStreamOnlyWithInvalidArgument() throws Exception {
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (AdsTestClient envoy = new AdsTestClient(channel)) {
      DiscoveryResponse first = subscribe(envoy);

      Status status =
          rawStream(
              channel,
              true,
              DeltaDiscoveryRequest.newBuilder()
                  .setNode(node("typeless", FLEET))
                  .build()
                  .toByteArray());

      assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(status.getDescription()).contains("type URL is required");
      assertTheGoodStreamGoesOn(envoy, first);
    }
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"line break in node.id", "escape in node.cluster", "overlong node.id"})
  void aNodeThatIsNotPrintableOrTooLongEndsItsStreamOnlyWithInvalidArgument(String kind)
      throws Exception {
    var bad =
        switch (kind) {
          case "line break in node.id" -> node("envoy\n2026-12-07 ERROR forged line", FLEET);
          case "escape in node.cluster" -> node("envoy", "\u001b[2J" + FLEET);
          default -> node("x".repeat(NodeNames.MAX_LENGTH + 1), FLEET);
        };
    String said =
        switch (kind) {
          case "line break in node.id" -> "node.id has the control character U+000A at index 5";
          case "escape in node.cluster" ->
              "node.cluster has the control character U+001B at index 0";
          default -> "node.id is 1025 characters long; at most 1024 are accepted";
        };
    server.cache().setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1))));
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try (AdsTestClient envoy = new AdsTestClient(channel)) {
      DiscoveryResponse first = subscribe(envoy);

      Status sotw =
          rawStream(
              channel,
              false,
              DiscoveryRequest.newBuilder().setNode(bad).setTypeUrl(CDS).build().toByteArray());
      Status delta =
          rawStream(
              channel,
              true,
              DeltaDiscoveryRequest.newBuilder()
                  .setNode(bad)
                  .setTypeUrl(CDS)
                  .build()
                  .toByteArray());

      for (Status status : List.of(sotw, delta)) {
        assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(status.getDescription()).contains(said);
        assertSaysNothingOfJava(status);
      }
      assertTheGoodStreamGoesOn(envoy, first);
    }
  }

  private static DiscoveryResponse subscribe(AdsTestClient envoy) {
    envoy.send(DiscoveryRequest.newBuilder().setNode(node("good", FLEET)).setTypeUrl(CDS).build());
    DiscoveryResponse first = envoy.next();
    envoy.send(
        DiscoveryRequest.newBuilder()
            .setTypeUrl(CDS)
            .setVersionInfo(first.getVersionInfo())
            .setResponseNonce(first.getNonce())
            .build());
    return first;
  }

  /** After the bad streams ended, the good one gets the next change, and a new stream is served. */
  private void assertTheGoodStreamGoesOn(AdsTestClient envoy, DiscoveryResponse first)
      throws Exception {
    server
        .cache()
        .setFleet(FLEET, Map.of(ResourceType.CLUSTER, List.of(cluster("a", 1), cluster("b", 1))));
    DiscoveryResponse next = envoy.next();
    assertThat(next.getVersionInfo()).isNotEqualTo(first.getVersionInfo());
    assertThat(names(next)).containsExactly("a", "b");
    try (AdsTestClient later = new AdsTestClient(server.port())) {
      later.send(
          DiscoveryRequest.newBuilder().setNode(node("later", FLEET)).setTypeUrl(CDS).build());
      assertThat(names(later.next())).containsExactly("a", "b");
    }
  }

  /** Sends {@code bytes} as one message of a new stream on {@code channel}, and awaits its end. */
  private static Status rawStream(ManagedChannel channel, boolean delta, byte[] bytes)
      throws Exception {
    return RawAdsStream.exchange(channel, delta, List.of(bytes), false);
  }

  private static void assertSaysNothingOfJava(Status status) {
    assertThat(status.getDescription())
        .as("the description a client is shown")
        .doesNotContain("Exception")
        .doesNotContain("java.")
        .doesNotContain("com.google")
        .doesNotContain("\tat ");
    assertThat(status.getCode()).isNotEqualTo(Status.Code.UNKNOWN);
  }
}
