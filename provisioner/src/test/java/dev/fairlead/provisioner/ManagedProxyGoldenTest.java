package dev.fairlead.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.api.params.ParametersRefs;
import dev.fairlead.api.v1alpha1.GatewayParameters;
import dev.fairlead.testkit.GoldenFiles;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden-file tests of the managed fleet's objects: each {@code
 * src/test/resources/provisioner/in/<case>.yaml} (one Gateway, its GatewayClass and any
 * GatewayParameters) must give exactly {@code out/<case>.yaml}, the objects the provisioner
 * applies, as {@link ProxyDecision} decides them (before the reconciler adds the client
 * certificate's Secret, which is random). {@code -Dfairlead.golden.update=true} re-records them.
 */
class ManagedProxyGoldenTest {

  static final Path CASES = Path.of("src/test/resources/provisioner");
  static final ProvisionerOptions OPTIONS =
      new ProvisionerOptions(
          ProvisionerOptions.DEFAULT_IMAGE, "fairlead.fairlead-system.svc", 18000);

  /**
   * The options of cases named {@code mutual-tls…}: fleets reach xDS with client certificates of
   * Fairlead's CA.
   */
  static final ProvisionerOptions MUTUAL_TLS =
      OPTIONS.withCa(ProxyCertificateAuthority.create(Instant.now()));

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  static {
    SERIALIZATION.registerKubernetesResource(GatewayParameters.class);
  }

  static Stream<String> cases() throws IOException {
    try (Stream<Path> files = Files.list(CASES.resolve("in"))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".yaml"))
          .map(n -> n.substring(0, n.length() - ".yaml".length()))
          .sorted()
          .toList()
          .stream();
    }
  }

  @ParameterizedTest
  @MethodSource("cases")
  void managedObjectsMatchTheRecordedOnes(String name) throws IOException {
    List<HasMetadata> objects = read(CASES.resolve("in").resolve(name + ".yaml"));
    List<Gateway> gateways = of(objects, Gateway.class);
    assertThat(gateways).as("in/%s.yaml holds one Gateway", name).hasSize(1);
    Optional<GatewayClass> gatewayClass = of(objects, GatewayClass.class).stream().findFirst();

    ProxyDecision decision =
        ProxyDecision.decide(
            Optional.of(gateways.get(0)),
            gatewayClass,
            new ParametersRefs(of(objects, GatewayParameters.class)),
            name.startsWith("mutual-tls") ? MUTUAL_TLS : OPTIONS);

    String actual =
        decision instanceof ProxyDecision.Apply apply
            ? apply.proxy().objects().stream()
                .map(SERIALIZATION::asYaml)
                .collect(Collectors.joining())
            : "# " + decision + "\n";
    GoldenFiles.check(
        CASES.resolve("out").resolve(name + ".yaml"),
        actual,
        "managed fleet of in/" + name + ".yaml");
  }

  private static List<HasMetadata> read(Path file) throws IOException {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : Files.readString(file).split("(?m)^---$")) {
      if (document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"))) {
        continue;
      }
      try (InputStream in = new ByteArrayInputStream(document.getBytes(StandardCharsets.UTF_8))) {
        KubernetesResource resource = SERIALIZATION.unmarshal(in);
        if (resource instanceof KubernetesList list) {
          objects.addAll(list.getItems());
        } else {
          objects.add((HasMetadata) resource);
        }
      }
    }
    return objects;
  }

  private static <T> List<T> of(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }
}
