package dev.fairlead.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BenchConfigTest {

  @Test
  void anUpstreamOfManyEndpointsIsAServiceWhoseEveryEndpointIsSent() {
    BenchConfig config = new BenchConfig();
    StateSpec spec = StateSpec.of(2, 250);

    List<ClusterLoadAssignment> assignments = assignments(config, spec);

    assertThat(assignments).hasSize(2);
    for (ClusterLoadAssignment assignment : assignments) {
      assertThat(addresses(assignment)).hasSize(250);
    }
    assertThat(config.endpointsOf(spec, 1)).isEqualTo(assignments.get(1));
  }

  @Test
  void anEndpointGenerationMovesOneEndpointOfTheService() {
    BenchConfig config = new BenchConfig();
    StateSpec before = StateSpec.of(1, 250);
    StateSpec after = before.withEndpoints(0, 7);

    Set<String> was = addresses(assignments(config, before).get(0));
    Set<String> is = addresses(assignments(config, after).get(0));

    assertThat(is).hasSize(250);
    Set<String> gone = new HashSet<>(was);
    gone.removeAll(is);
    Set<String> added = new HashSet<>(is);
    added.removeAll(was);
    assertThat(gone).containsExactly("127.1.0.7:8080");
    assertThat(added).hasSize(1);
    assertThat(config.endpointsOf(after, 0)).isEqualTo(assignments(config, after).get(0));
  }

  @Test
  void theWidthTravelsWithTheSpecsTextAndOneEndpointKeepsItsOldForm() {
    StateSpec wide = StateSpec.of(3, 100_000).withEndpoints(1, 4);
    assertThat(StateSpec.parse(wide.encode())).isEqualTo(wide);
    assertThat(StateSpec.of(3).encode()).isEqualTo("upstreams=3;clusters=0;endpoints=0;overrides=");
  }

  private static List<ClusterLoadAssignment> assignments(BenchConfig config, StateSpec spec) {
    return config.envoyResources(spec).get(ResourceType.ENDPOINT).stream()
        .map(ClusterLoadAssignment.class::cast)
        .toList();
  }

  private static Set<String> addresses(ClusterLoadAssignment assignment) {
    Set<String> addresses = new HashSet<>();
    assignment.getEndpointsList().stream()
        .flatMap(l -> l.getLbEndpointsList().stream())
        .map(LbEndpoint::getEndpoint)
        .forEach(
            e ->
                addresses.add(
                    e.getAddress().getSocketAddress().getAddress()
                        + ":"
                        + e.getAddress().getSocketAddress().getPortValue()));
    return addresses;
  }
}
