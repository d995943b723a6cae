package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.RealCluster;
import dev.fairlead.testkit.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's walkthrough ("Try it on a cluster"), run as written on the real node: the shell
 * block between its {@code walkthrough:begin} and {@code walkthrough:end} markers, from the
 * repository's root, with the provisioned kubectl and helm first on the {@code PATH} and {@code
 * KUBECONFIG} naming the node's cluster. What the README names as given is done first: the Gateway
 * API CRDs installed and the image the build wrote loaded; the registry images the walkthrough and
 * the chart name (busybox, Envoy) are the node's own test images under those names, as a registry
 * would serve them. The block's last command is {@code curl} of the Gateway's status address; it
 * must answer from one of the {@code hello} pods.
 */
class ReadmeWalkthroughRealNodeIT {

  @RegisterExtension static final RealCluster CLUSTER = new RealCluster();

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern BLOCK =
      Pattern.compile(
          "<!-- walkthrough:begin -->\\s*```sh\\n(.*?)```\\s*<!-- walkthrough:end -->",
          Pattern.DOTALL);
  private static final Pattern IMAGE = Pattern.compile("(?m)^\\s*image: (\\S+)$");
  private static final Pattern PROXY_IMAGE = Pattern.compile("(?m)^\\s*proxyImage: (\\S+)$");

  /** Pods start JVMs and Envoys on a busy 2-core machine; the block waits for them itself. */
  private static final Duration BOUND = Duration.ofMinutes(20);

  private static String block;

  @BeforeAll
  static void loadWhatTheReadmeTakesAsGiven() throws IOException {
    block = walkthrough(Files.readString(ROOT.resolve("README.md")));
    FairleadRelease.prepare(CLUSTER);
    CLUSTER.importTestImage("backend");
    CLUSTER.tagImage("fairlead.dev/backend:busybox", only(IMAGE, block, "the walkthrough"));
    CLUSTER.tagImage(
        "fairlead.dev/envoy:" + Tools.get().envoyVersion(),
        only(
            PROXY_IMAGE,
            Files.readString(ROOT.resolve("charts/fairlead/values.yaml")),
            "the chart's values"));
  }

  /** Undoes the walkthrough as its last line says: the node outlives this suite. */
  @AfterAll
  static void undoIt() {
    if (RealCluster.unavailableReason().isEmpty()) {
      CLUSTER.helm().run("uninstall", "fairlead", "--namespace", "fairlead-system", "--wait");
      CLUSTER.client().namespaces().withName("demo").delete();
      CLUSTER.kubectl().run("delete", "gatewayclass", "fairlead", "--ignore-not-found");
    }
  }

  @Test
  void theWalkthroughAsWrittenGetsAnAnswerFromAHelloPodAtTheGatewaysAddress() {
    CommandResult result =
        CommandResult.run(
            List.of("bash", "-euo", "pipefail", "-c", block),
            ROOT,
            Map.of(
                "PATH",
                Tools.get().kubectl().getParent()
                    + ":"
                    + Tools.get().helmBinary().getParent()
                    + ":"
                    + System.getenv("PATH"),
                "KUBECONFIG",
                CLUSTER.kubeconfig().toString()),
            BOUND);

    assertThat(result.exitCode())
        .as(
            () ->
                "the walkthrough failed; it printed:\n"
                    + result.stdout()
                    + "\n"
                    + result.stderr()
                    + "\nthe hello pods: "
                    + CLUSTER.explain("demo", Map.of("app", "hello")))
        .isZero();
    List<String> lines = result.stdout().strip().lines().toList();
    assertThat(lines.get(lines.size() - 1)).matches("hello from hello-[a-z0-9]+-[a-z0-9]+");
  }

  /** The walkthrough's commands: the shell block between the README's markers. */
  static String walkthrough(String readme) {
    Matcher matcher = BLOCK.matcher(readme);
    if (!matcher.find()) {
      throw new IllegalStateException(
          "README.md has no ```sh block between <!-- walkthrough:begin --> and <!-- walkthrough:end -->");
    }
    return matcher.group(1);
  }

  private static String only(Pattern pattern, String text, String where) {
    List<String> found = pattern.matcher(text).results().map(m -> m.group(1)).distinct().toList();
    if (found.size() != 1) {
      throw new IllegalStateException(
          where + " should name exactly one image for " + pattern + ", names " + found);
    }
    return found.get(0);
  }
}
