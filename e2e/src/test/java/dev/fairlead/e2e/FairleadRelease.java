package dev.fairlead.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fairlead installed the way users install it, on the real node: the image the build wrote (module
 * {@code image/}) and the node's Envoy image imported, the Gateway API CRDs installed, and the
 * chart {@code helm install}ed as release {@code name} into {@code namespace}. The suites that run
 * Fairlead on the node share this.
 *
 * @param name the Helm release
 * @param namespace where the release runs
 */
record FairleadRelease(RealCluster cluster, String name, String namespace) {

  /**
   * Installs the chart with {@code helmArgs} added to {@code helm install} (such as {@code --set
   * k=v}); skips the calling suite when the image was not built.
   */
  static FairleadRelease install(
      RealCluster cluster, String name, String namespace, String... helmArgs) {
    prepare(cluster);
    List<String> args =
        new ArrayList<>(
            List.of(
                "install",
                name,
                HelmChartRealApiServerIT.CHART.toString(),
                "--namespace",
                namespace,
                "--create-namespace"));
    args.addAll(List.of(helmArgs));
    cluster.helm().run(args.toArray(String[]::new)).requireSuccess();
    return new FairleadRelease(cluster, name, namespace);
  }

  /**
   * What an install needs on the node before {@code helm install}: the image the build wrote and
   * the node's Envoy image imported, the Gateway API CRDs installed; skips the calling suite when
   * the image was not built.
   */
  static void prepare(RealCluster cluster) {
    Path image =
        Path.of(System.getProperty("fairlead.image.archive", "../image/target/fairlead-image.tar"));
    assumeTrue(
        Files.isRegularFile(image),
        () ->
            "The Fairlead image was not built: "
                + image
                + " is missing (module image/ writes it whenever tests run)");
    cluster.importImage(image);
    cluster.importTestImage("envoy");
    Crds.installGatewayApi(cluster.client());
  }

  /** The labels of the release's Fairlead pods. */
  Map<String, String> podLabels() {
    return Map.of("app.kubernetes.io/name", "fairlead", "app.kubernetes.io/instance", name);
  }

  /**
   * The last {@code lines} lines of each replica's log ({@code -1}: all), each line prefixed with
   * its pod.
   */
  String logs(int lines) {
    return cluster
        .kubectl()
        .run(
            "logs",
            "-n",
            namespace,
            "-l",
            "app.kubernetes.io/instance=" + name,
            "--prefix",
            "--tail=" + lines)
        .stdout();
  }
}
