package dev.fairlead.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

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

  /** The archive of one of the suite's images: {@code echo-basic} or {@code coredns}. */
  public Path image(String name) {
    return images.resolve(name + ".tar");
  }
}
