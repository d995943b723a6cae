package dev.fairlead.provisioner;

import dev.fairlead.testkit.EnvoyValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The bootstrap a managed fleet's Envoys start from passes {@code envoy --mode validate} of the real Envoy, without a
 * deprecation warning, with the node id on the command line as the pod passes it.
 */
class ProxyBootstrapEnvoyValidateIT {

  @Test
  void envoyAcceptsTheBootstrap() throws IOException, InterruptedException {
    Path bootstrap = Files.createDirectories(Path.of("target", "envoy-validate")).resolve("bootstrap.yaml");
    Files.writeString(bootstrap, ProxyBootstrap.yaml("shop/edge", ManagedProxyGoldenTest.OPTIONS));

    EnvoyValidation.assertValid(bootstrap, "--service-node", "fairlead-edge-0");
  }
}
