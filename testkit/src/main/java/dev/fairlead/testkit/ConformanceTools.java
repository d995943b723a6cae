package dev.fairlead.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * What {@code scripts/provision-conformance.sh} provisioned for the Gateway API conformance suite:
 * the official test binary ({@code go test -c} of {@code sigs.k8s.io/gateway-api/conformance} at
 * the pinned Gateway API version) and the images its base manifests use, as archives under the
 * names those manifests give them; or why they are not here. Read from {@code tools.properties}
 * once per JVM. Immutable.
 *
 * @param unavailable why the suite cannot run here (the real node cannot, or provisioning predates
 *     the suite)
 */
public record ConformanceTools(Optional<String> unavailable, Path binary, Path images) {

  private static final class Holder {
    static final ConformanceTools INSTANCE = load(Tools.cacheDir().resolve("tools.properties"));
  }

  public static ConformanceTools get() {
    return Holder.INSTANCE;
  }

  static ConformanceTools load(Path file) {
    Properties p = Tools.properties(file);
    String node = p.getProperty("node.unavailable", "").trim();
    if (!node.isEmpty()) {
      return new ConformanceTools(Optional.of(node), Path.of(""), Path.of(""));
    }
    String binary = p.getProperty("conformance.binary", "").trim();
    String images = p.getProperty("conformance.images", "").trim();
    if (binary.isEmpty() || images.isEmpty() || !Files.isExecutable(Path.of(binary))) {
      return new ConformanceTools(
          Optional.of(
              file
                  + " names no conformance binary and images: run "
                  + "scripts/provision.sh again"),
          Path.of(""),
          Path.of(""));
    }
    return new ConformanceTools(Optional.empty(), Path.of(binary), Path.of(images));
  }

  /**
   * The archives of the images the suite's base manifests use ({@code echo-basic} under each name
   * they give it, CoreDNS), in name order.
   */
  public List<Path> imageArchives() {
    try (Stream<Path> files = Files.list(images)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".tar")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the conformance images in " + images, e);
    }
  }
}
