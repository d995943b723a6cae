package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.v1alpha1.AllocationTokens;
import dev.fairlead.testkit.GoldenFiles;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden-file tests of the translator: each {@code src/test/resources/translator/in/<case>.yaml}
 * (Kubernetes objects) must translate to exactly {@code out/<case>.yaml} (the fleets' Envoy
 * resources and the verdicts).
 *
 * <p>After a deliberate change to the translator, regenerate the expected files and review the
 * diff:
 *
 * <pre>
 * ./mvnw -B -pl xds-server -am test -Dfairlead.skipProvision=true -Dtest=TranslatorGoldenTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dfairlead.golden.update=true
 * </pre>
 *
 * With {@code -Dfairlead.golden.update=true} the test writes {@code out/} instead of comparing (it
 * still checks the invariants below).
 */
class TranslatorGoldenTest {

  static final Path CASES = Path.of("src/test/resources/translator");

  /** The key of the allocation tokens in the golden files: 32 bytes 0, 1, …, 31. */
  static final byte[] ALLOCATION_KEY = allocationKey();

  static final TranslatorOptions OPTIONS =
      new TranslatorOptions("127.0.0.1").withAllocationTokens(AllocationTokens.of(ALLOCATION_KEY));

  private static byte[] allocationKey() {
    byte[] key = new byte[AllocationTokens.KEY_BYTES];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) i;
    }
    return key;
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(CASES.resolve("in"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(name -> name.endsWith(".yaml"))
          .map(name -> name.substring(0, name.length() - ".yaml".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  static Translation translate(String name) throws IOException {
    return new Translator(OPTIONS)
        .translate(
            ClusterStateYaml.state(
                ClusterStateYaml.objects(CASES.resolve("in").resolve(name + ".yaml"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void translatesToTheRecordedOutput(String name) throws IOException {
    Translation translation = translate(name);
    String actual = TranslationYaml.render(translation);
    GoldenFiles.check(
        CASES.resolve("out").resolve(name + ".yaml"),
        actual,
        "translation of in/" + name + ".yaml");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyClusterARouteNamesIsInTheFleet(String name) throws IOException {
    assertRoutesNameOnlyClustersOfTheirFleet(translate(name));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyEdsClusterHasItsEndpoints(String name) throws IOException {
    assertEveryEdsClusterHasItsEndpoints(translate(name));
  }

  /**
   * Every cluster a route sends to is one of its fleet's clusters (or the unresolved-backend
   * cluster); a route that redirects sends to none.
   */
  static void assertRoutesNameOnlyClustersOfTheirFleet(Translation translation) {
    translation
        .fleets()
        .forEach(
            (fleet, config) -> {
              Set<String> clusters = new HashSet<>();
              config.clusters().forEach(cluster -> clusters.add(cluster.getName()));
              for (RouteConfiguration table : config.routes()) {
                for (VirtualHost host : table.getVirtualHostsList()) {
                  for (Route route : host.getRoutesList()) {
                    assertThat(route.hasRoute() || route.hasRedirect())
                        .as("route %s forwards or redirects", route.getName())
                        .isTrue();
                    if (route.hasRedirect()) {
                      continue;
                    }
                    clusterNames(route.getRoute()).stream()
                        .filter(
                            cluster ->
                                !cluster.equals(HTTPRouteRuleTranslator.UNRESOLVED_BACKEND_CLUSTER))
                        .forEach(
                            cluster ->
                                assertThat(clusters)
                                    .as("fleet %s, route %s", fleet, route.getName())
                                    .contains(cluster));
                  }
                }
              }
            });
  }

  /** Exactly the EDS clusters of a fleet have a ClusterLoadAssignment in it. */
  static void assertEveryEdsClusterHasItsEndpoints(Translation translation) {
    translation
        .fleets()
        .forEach(
            (fleet, config) -> {
              Set<String> assignments = new HashSet<>();
              config
                  .endpoints()
                  .forEach(assignment -> assignments.add(assignment.getClusterName()));
              for (Cluster cluster : config.clusters()) {
                assertThat(assignments.contains(cluster.getName()))
                    .as(
                        "fleet %s: cluster %s has a ClusterLoadAssignment",
                        fleet, cluster.getName())
                    .isEqualTo(cluster.getType() == Cluster.DiscoveryType.EDS);
              }
            });
  }

  private static List<String> clusterNames(RouteAction action) {
    if (action.hasWeightedClusters()) {
      return action.getWeightedClusters().getClustersList().stream()
          .map(WeightedCluster.ClusterWeight::getName)
          .toList();
    }
    return List.of(action.getCluster());
  }
}
