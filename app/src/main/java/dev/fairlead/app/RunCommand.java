package dev.fairlead.app;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code fairlead run}: serves xDS until stopped. Every flag can also be set by its environment variable. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = "Serve Envoy configuration over xDS. Standalone mode: --config-dir.")
final class RunCommand implements Callable<Integer> {

  @Option(names = "--config-dir", required = true, defaultValue = "${env:FAIRLEAD_CONFIG_DIR}",
      description = "Directory of YAML files (Upstream, Gateway, HTTPRoute, Service, EndpointSlice, ConfigMap) "
          + "served in standalone mode and watched for changes. Env: FAIRLEAD_CONFIG_DIR.")
  Path configDir;

  @Option(names = "--xds-address", defaultValue = "${env:FAIRLEAD_XDS_ADDRESS:-127.0.0.1}",
      description = "Address the xDS gRPC server binds to. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_ADDRESS.")
  String xdsAddress;

  @Option(names = "--xds-port", defaultValue = "${env:FAIRLEAD_XDS_PORT:-18000}",
      description = "Port of the xDS gRPC server. Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_XDS_PORT.")
  int xdsPort;

  @Option(names = "--listener-address", defaultValue = "${env:FAIRLEAD_LISTENER_ADDRESS:-127.0.0.1}",
      description = "Address Envoy listeners bind to (0.0.0.0 to accept traffic from other hosts). "
          + "Default: ${DEFAULT-VALUE}. Env: FAIRLEAD_LISTENER_ADDRESS.")
  String listenerAddress;

  @Override
  public Integer call() throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    StandaloneFairlead fairlead = StandaloneFairlead.start(
        StandaloneOptions.of(configDir, xdsAddress, xdsPort, listenerAddress));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      fairlead.close();
      stopped.countDown();
    }, "fairlead-shutdown"));
    stopped.await();
    return 0;
  }
}
