package dev.fairlead.testkit;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the real parts provisioned by {@code scripts/provision.sh} live: kube-apiserver, etcd and
 * kubectl in the layout fabric8 kube-api-test expects, the Envoy binary, the Gateway API CRDs and
 * helm.
 *
 * <p>The provisioning script writes {@code tools.properties} into its cache directory ({@code
 * $FAIRLEAD_CACHE_DIR}, default {@code ~/.cache/fairlead}); this record is read from it once per
 * JVM. Immutable and safe to share.
 */
public record Tools(
    Path kubeApiTestDir,
    String kubernetesVersion,
    Path envoyBinary,
    String envoyVersion,
    Path gatewayApiCrdDir,
    String gatewayApiVersion,
    Path helmBinary,
    String helmVersion) {

  private static final class Holder {
    static final Tools INSTANCE = load(cacheDir());
  }

  /** The provisioned tools; fails with instructions when provisioning has not run. */
  public static Tools get() {
    return Holder.INSTANCE;
  }

  /**
   * Where provisioning caches what it builds: {@code $FAIRLEAD_CACHE_DIR}, default {@code
   * ~/.cache/fairlead}.
   */
  public static Path cacheDir() {
    String dir = System.getenv("FAIRLEAD_CACHE_DIR");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir);
    }
    return Path.of(System.getProperty("user.home"), ".cache", "fairlead");
  }

  static Tools load(Path cacheDir) {
    Path file = cacheDir.resolve("tools.properties");
    Properties p = properties(file);
    Tools tools =
        new Tools(
            Path.of(required(p, file, "kubeapitest.dir")),
            required(p, file, "kubernetes.version"),
            Path.of(required(p, file, "envoy.path")),
            required(p, file, "envoy.version"),
            Path.of(required(p, file, "gatewayapi.crds")),
            required(p, file, "gatewayapi.version"),
            Path.of(required(p, file, "helm.path")),
            required(p, file, "helm.version"));
    if (!Files.isExecutable(tools.kubectl())) {
      throw new IllegalStateException(
          "kubectl is missing at " + tools.kubectl() + ": run scripts/provision.sh again.");
    }
    return tools;
  }

  /** What {@code scripts/provision.sh} wrote; fails with instructions when it has not run. */
  static Properties properties(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          "Test tools are not provisioned: "
              + file
              + " does not exist. "
              + "Run scripts/provision.sh (./mvnw verify runs it for you).");
    }
    Properties p = new Properties();
    try (Reader in = Files.newBufferedReader(file)) {
      p.load(in);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read " + file + ": " + e.getMessage(), e);
    }
    return p;
  }

  private static String required(Properties p, Path file, String key) {
    String value = p.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          file + " has no '" + key + "': run scripts/provision.sh again.");
    }
    return value.trim();
  }

  /** The directory holding {@code kube-apiserver}, {@code etcd} and {@code kubectl}. */
  public Path kubernetesBinDir() {
    return kubeApiTestDir.resolve("k8s").resolve(kubernetesVersion + "-linux-amd64");
  }

  public Path kubectl() {
    return kubernetesBinDir().resolve("kubectl");
  }
}
