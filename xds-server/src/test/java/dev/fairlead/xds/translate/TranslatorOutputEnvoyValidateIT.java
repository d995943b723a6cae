package dev.fairlead.xds.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves a real Envoy (the provisioned one) accepts every field the translator emits: for each golden case and
 * each fleet, the fleet's resources go into a static bootstrap ({@link EnvoyStaticBootstrap}) that
 * {@code envoy --mode validate} must pass, without a single deprecation warning.
 *
 * <p>Bootstraps and Envoy's output are kept under {@code target/envoy-validate/<case>/}.
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
      Files.writeString(bootstrap, TranslationYaml.json(EnvoyStaticBootstrap.of(fleet.getKey(), fleet.getValue())));
      Path log = dir.resolve(file + ".log");
      Process envoy = new ProcessBuilder(Tools.get().envoyBinary().toString(), "--mode", "validate",
          "--disable-hot-restart", "--log-level", "warn", "-c", bootstrap.toAbsolutePath().toString())
          .redirectErrorStream(true)
          .redirectOutput(log.toFile())
          .start();
      boolean exited = envoy.waitFor(2, TimeUnit.MINUTES);
      if (!exited) {
        envoy.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(exited).as("envoy --mode validate finished for %s", bootstrap).isTrue();
      assertThat(envoy.exitValue()).as("envoy --mode validate %s:%n%s", bootstrap, output).isZero();
      assertThat(output).as("Envoy warnings for %s", bootstrap).doesNotContainIgnoringCase("deprecated");
    }
  }
}
