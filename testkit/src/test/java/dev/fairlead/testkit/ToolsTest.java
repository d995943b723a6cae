package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToolsTest {

  @TempDir Path cache;

  @Test
  void missingProvisioningSaysWhatToRun() {
    assertThatThrownBy(() -> Tools.load(cache))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("scripts/provision.sh");
  }

  @Test
  void readsThePathsTheProvisioningScriptWrote() throws Exception {
    Path bin = Files.createDirectories(cache.resolve("kubeapitest/k8s/1.34.4-linux-amd64"));
    Files.createFile(bin.resolve("kubectl")).toFile().setExecutable(true);
    Files.writeString(
        cache.resolve("tools.properties"),
        """
        kubeapitest.dir=%s
        kubernetes.version=1.34.4
        envoy.path=/opt/envoy
        envoy.version=1.40.0
        gatewayapi.crds=/opt/gw
        gatewayapi.version=1.3.0
        helm.path=/opt/helm
        helm.version=3.22.0
        """
            .formatted(cache.resolve("kubeapitest")));

    Tools tools = Tools.load(cache);

    assertThat(tools.kubectl()).isEqualTo(bin.resolve("kubectl"));
    assertThat(tools.envoyBinary()).isEqualTo(Path.of("/opt/envoy"));
    assertThat(tools.gatewayApiVersion()).isEqualTo("1.3.0");
    assertThat(tools.helmBinary()).isEqualTo(Path.of("/opt/helm"));
    assertThat(tools.helmVersion()).isEqualTo("3.22.0");
  }

  @Test
  void incompletePropertiesNameTheMissingKey() throws Exception {
    Files.writeString(cache.resolve("tools.properties"), "kubernetes.version=1.34.4\n");

    assertThatThrownBy(() -> Tools.load(cache)).hasMessageContaining("kubeapitest.dir");
  }
}
