package dev.fairlead.testkit;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code scripts/provision.sh} provisioned for the real node ({@link RealNode}): the node's
 * images (pause, CoreDNS, Envoy, an HTTP backend) as archives, the CNI plugins, CoreDNS's version;
 * or why this machine cannot run the node. Read from {@code tools.properties} once per JVM.
 * Immutable.
 *
 * @param unavailable why the node cannot run here (not root, no apt-get, no overlay filesystem);
 *     empty when it can
 */
record NodeTools(Optional<String> unavailable, Path images, Path cniBin, String corednsVersion) {

  private static final class Holder {
    static final NodeTools INSTANCE = load(Tools.cacheDir().resolve("tools.properties"));
  }

  static NodeTools get() {
    return Holder.INSTANCE;
  }

  static NodeTools load(Path file) {
    Properties p = Tools.properties(file);
    if (p.getProperty("node.images") == null) {
      return new NodeTools(
          Optional.of(file + " has no node entries: run scripts/provision.sh again"),
          Path.of(""),
          Path.of(""),
          "");
    }
    String unavailable = p.getProperty("node.unavailable", "").trim();
    return new NodeTools(
        unavailable.isEmpty() ? Optional.empty() : Optional.of(unavailable),
        Path.of(p.getProperty("node.images").trim()),
        Path.of(p.getProperty("node.cni.bin", "").trim()),
        p.getProperty("coredns.version", "").trim());
  }

  /**
   * The archive of one of the node's images: {@code pause}, {@code coredns}, {@code envoy}, {@code
   * backend}.
   */
  Path image(String name) {
    return images.resolve(name + ".tar");
  }
}
