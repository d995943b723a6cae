package dev.fairlead.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RealApiServer#restartApiServer()}: the same address and data afterwards, for clients made
 * before it.
 */
class RealApiServerRestartIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  @Test
  void restartKeepsAddressAndDataTwice() {
    String masterUrl = API_SERVER.client().getMasterUrl().toString();
    API_SERVER
        .client()
        .configMaps()
        .inNamespace("default")
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("survivor")
                .endMetadata()
                .addToData("k", "v")
                .build())
        .create();

    for (int restart = 1; restart <= 2; restart++) {
      Duration away = API_SERVER.restartApiServer();

      assertThat(away).isPositive();
      assertThat(API_SERVER.client().getMasterUrl().toString()).isEqualTo(masterUrl);
      ConfigMap read =
          API_SERVER.client().configMaps().inNamespace("default").withName("survivor").get();
      assertThat(read.getData()).containsEntry("k", "v");
    }
  }
}
