package dev.fairlead.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The go-control-plane peer's binary: built from {@code bench/peers/go-control-plane} with the
 * local Go toolchain (modules from the Go module proxy) into {@code ~/.cache/fairlead/bench/},
 * named by a hash of its sources, so each version is built once. The source folder is found from
 * the working directory (the repository root or {@code bench/}), or given with {@code
 * -Dbench.goPeerSource=DIR}.
 */
final class GoPeer {

  private static final List<String> SOURCES = List.of("main.go", "go.mod", "go.sum");

  private GoPeer() {}

  static synchronized Path binary() {
    Path source = source();
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (String file : SOURCES) {
        digest.update(Files.readAllBytes(source.resolve(file)));
      }
      String hash = HexFormat.of().formatHex(digest.digest(), 0, 8);
      Path cache =
          Path.of(
              System.getenv()
                  .getOrDefault(
                      "FAIRLEAD_CACHE_DIR", System.getProperty("user.home") + "/.cache/fairlead"),
              "bench");
      Path binary = cache.resolve("go-control-plane-peer-" + hash);
      if (Files.isExecutable(binary)) {
        return binary;
      }
      Files.createDirectories(cache);
      Path log = cache.resolve("go-build.log");
      Process build =
          new ProcessBuilder("go", "build", "-o", binary.toString(), ".")
              .directory(source.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!build.waitFor(10, TimeUnit.MINUTES) || build.exitValue() != 0) {
        build.destroyForcibly();
        throw new IllegalStateException(
            "go build of the go-control-plane peer failed: "
                + Files.readString(log, StandardCharsets.UTF_8));
      }
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot build the go-control-plane peer from " + source, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while building the go-control-plane peer", e);
    }
  }

  private static Path source() {
    String configured = System.getProperty("bench.goPeerSource");
    List<Path> candidates =
        configured != null
            ? List.of(Path.of(configured))
            : List.of(Path.of("bench/peers/go-control-plane"), Path.of("peers/go-control-plane"));
    return candidates.stream()
        .filter(dir -> Files.isRegularFile(dir.resolve("main.go")))
        .findFirst()
        .map(Path::toAbsolutePath)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "cannot find the go-control-plane peer's sources in "
                        + candidates
                        + " (run from the repository root, or set -Dbench.goPeerSource)"));
  }
}
