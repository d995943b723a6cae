package dev.fairlead.xds.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.Node;
import org.junit.jupiter.api.Test;

class NodeNamesTest {

  @Test
  void printableIdAndClusterAreAccepted() {
    Node node =
        Node.newBuilder()
            .setId("sidecar~10.0.0.1~envoy-7f9c.prod~prod.svc.cluster.local")
            .setCluster("prod/gateway-ünï")
            .build();
    assertThat(NodeNames.problem(node)).isEmpty();
    assertThat(NodeNames.problem(Node.getDefaultInstance())).isEmpty();
  }

  @Test
  void controlCharacterInTheIdIsNamedWithItsCodePointAndIndex() {
    Node node = Node.newBuilder().setId("envoy\n2026-12-07 ERROR forged").setCluster("f").build();
    assertThat(NodeNames.problem(node))
        .contains("node.id has the control character U+000A at index 5; it must be printable text");
  }

  @Test
  void escapeSequenceAndNulInTheClusterAreRefused() {
    assertThat(NodeNames.problem(Node.newBuilder().setCluster("\u001b[2Jf").build()))
        .contains(
            "node.cluster has the control character U+001B at index 0; it must be printable text");
    assertThat(NodeNames.problem(Node.newBuilder().setCluster("f\u0000").build()))
        .hasValueSatisfying(problem -> assertThat(problem).contains("U+0000 at index 1"));
  }

  @Test
  void bidirectionalOverrideIsRefused() {
    assertThat(NodeNames.problem(Node.newBuilder().setId("a\u202eb").build()))
        .hasValueSatisfying(
            problem -> assertThat(problem).startsWith("node.id").contains("U+202E"));
  }

  @Test
  void overlongIdIsRefusedWithItsLength() {
    Node node = Node.newBuilder().setId("x".repeat(NodeNames.MAX_LENGTH + 1)).build();
    assertThat(NodeNames.problem(node))
        .contains("node.id is 1025 characters long; at most 1024 are accepted");
    Node longest = Node.newBuilder().setId("x".repeat(NodeNames.MAX_LENGTH)).build();
    assertThat(NodeNames.problem(longest)).isEmpty();
  }
}
