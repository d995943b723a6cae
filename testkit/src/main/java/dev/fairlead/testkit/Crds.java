package dev.fairlead.testkit;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Installs CustomResourceDefinitions into any cluster and waits until the API server serves them.
 */
public final class Crds {

  private static final Duration ESTABLISHED_TIMEOUT = Duration.ofSeconds(60);

  private Crds() {}

  /** Applies every CRD in a YAML stream (server-side) and waits until each is established. */
  public static void apply(KubernetesClient client, InputStream yaml) {
    List<HasMetadata> items = client.load(yaml).items();
    for (HasMetadata item : items) {
      if (!(item instanceof CustomResourceDefinition crd)) {
        throw new IllegalArgumentException(
            "Not a CustomResourceDefinition: "
                + item.getKind()
                + " "
                + item.getMetadata().getName());
      }
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .resource(crd)
          .forceConflicts()
          .serverSideApply();
    }
    for (HasMetadata item : items) {
      client
          .apiextensions()
          .v1()
          .customResourceDefinitions()
          .withName(item.getMetadata().getName())
          .waitUntilCondition(Crds::established, ESTABLISHED_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Applies every CRD of a YAML file. */
  public static void apply(KubernetesClient client, Path yaml) {
    try (InputStream in = Files.newInputStream(yaml)) {
      apply(client, in);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + yaml, e);
    }
  }

  /** Installs the provisioned Gateway API standard-channel CRDs. */
  public static void installGatewayApi(KubernetesClient client) {
    try (Stream<Path> files = Files.list(Tools.get().gatewayApiCrdDir())) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        apply(client, file);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean established(CustomResourceDefinition crd) {
    return crd != null
        && crd.getStatus() != null
        && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> "Established".equals(c.getType()) && "True".equals(c.getStatus()));
  }
}
