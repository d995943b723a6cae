package dev.fairlead.discovery;

import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * What a {@link ClusterStateSource} test's API server needs: Fairlead's CRDs (from the api module's
 * generated ones on the class path) and the Gateway API's.
 */
final class FairleadCrds {

  private FairleadCrds() {}

  /** Installs Fairlead's CRDs and the Gateway API's. */
  static void install(RealApiServer apiServer) {
    for (String crdName : List.of("upstreams", "allocations", "gatewayparameters")) {
      try (InputStream crd =
          FairleadCrds.class.getResourceAsStream(
              "/META-INF/fabric8/" + crdName + ".fairlead.dev-v1.yml")) {
        Crds.apply(apiServer.client(), crd);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    apiServer.installGatewayApiCrds();
  }
}
