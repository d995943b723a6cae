package dev.fairlead.xds.translate;

import dev.fairlead.testkit.EnvoyValidation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves a real Envoy (the provisioned one) accepts every field the translator emits: for each
 * golden case and each fleet, the fleet's resources go into a static bootstrap ({@link
 * EnvoyStaticBootstrap}) that {@code envoy --mode validate} must pass, without a single deprecation
 * warning.
 *
 * <p>Bootstraps and Envoy's output ({@link EnvoyValidation}) are kept under {@code
 * target/envoy-validate/<case>/}.
 */
class TranslatorOutputEnvoyValidateIT {

  private static final Path WORK = Path.of("target", "envoy-validate");

  static List<String> cases() throws IOException {
    return TranslatorGoldenTest.cases().toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void envoyAcceptsEveryFleet(String name) throws IOException, InterruptedException {
    Translation translation = TranslatorGoldenTest.translate(name);
    Path dir = Files.createDirectories(WORK.resolve(name));
    for (Map.Entry<String, FleetConfig> fleet : translation.fleets().entrySet()) {
      String file = fleet.getKey().replace('/', '_');
      Path bootstrap = dir.resolve(file + ".json");
      Files.writeString(
          bootstrap,
          TranslationYaml.json(EnvoyStaticBootstrap.of(fleet.getKey(), fleet.getValue())));
      EnvoyValidation.assertValid(bootstrap);
    }
  }
}
