package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.testkit.CommandResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/oci-image.py}, which writes Fairlead's image and the real node's test images: the
 * same files give the same archive byte for byte whatever their time stamps, and symbolic links and
 * file modes survive.
 */
class OciImageTest {

  private static final Path SCRIPT = Path.of("../scripts/oci-image.py");

  @TempDir Path dir;

  @Test
  void theSameFilesGiveTheSameArchiveWhateverTheirTimeStamps() throws Exception {
    Path layer = layer(dir.resolve("layer"));
    Path first = dir.resolve("first.tar");
    Path second = dir.resolve("second.tar");

    String firstLine = write(first, layer);
    for (Path path :
        List.of(layer.resolve("bin/tool"), layer.resolve("etc/config"), layer.resolve("etc"))) {
      Files.setLastModifiedTime(path, FileTime.from(Instant.now().plusSeconds(3600)));
    }
    String secondLine = write(second, layer);

    assertThat(sha256(second)).isEqualTo(sha256(first));
    assertThat(digest(secondLine)).isEqualTo(digest(firstLine)).startsWith("sha256:");
  }

  @Test
  void aChangedFileChangesTheDigest() throws Exception {
    Path layer = layer(dir.resolve("layer"));
    String before = write(dir.resolve("before.tar"), layer);

    Files.writeString(layer.resolve("etc/config"), "changed\n");

    assertThat(digest(write(dir.resolve("after.tar"), layer))).isNotEqualTo(digest(before));
  }

  @Test
  void symbolicLinksAndModesSurviveInTheLayer() throws Exception {
    Path layer = layer(dir.resolve("layer"));
    Path archive = dir.resolve("image.tar");
    write(archive, layer);
    Path unpacked = Files.createDirectories(dir.resolve("unpacked"));
    run(List.of("tar", "-xf", archive.toString(), "-C", unpacked.toString()));
    String manifest = Files.readString(unpacked.resolve("manifest.json"));
    String layerBlob = manifest.replaceAll("(?s).*\"Layers\":\\[\"([^\"]+)\".*", "$1");

    String listing = run(List.of("tar", "-tvf", unpacked.resolve(layerBlob).toString())).stdout();

    assertThat(listing)
        .containsPattern("-rwxr-x--- 0/0 +\\d+ 1970-01-01 00:00 bin/tool")
        .containsPattern("lrwxrwxrwx 0/0 +0 1970-01-01 00:00 bin/alias -> tool")
        .containsPattern("-rw-r--r-- 0/0 +\\d+ 1970-01-01 00:00 etc/config");
    assertThat(Files.readString(unpacked.resolve("index.json")))
        .contains("\"io.containerd.image.name\":\"test.dev/image:1\"");
  }

  private static Path layer(Path root) throws IOException {
    Files.createDirectories(root.resolve("bin"));
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
    Files.setPosixFilePermissions(
        root.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-x---"));
    Files.createSymbolicLink(root.resolve("bin/alias"), Path.of("tool"));
    Files.writeString(root.resolve("etc/config"), "key=value\n");
    Files.setPosixFilePermissions(
        root.resolve("etc/config"), PosixFilePermissions.fromString("rw-r--r--"));
    return root;
  }

  private static String write(Path out, Path layer) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "python3",
                SCRIPT.toString(),
                "--name",
                "test.dev/image:1",
                "--out",
                out.toString(),
                "--layer",
                layer.toString(),
                "--user",
                "65532:65532",
                "--entrypoint=/bin/tool"));
    return run(command).stdout().strip();
  }

  /** The image digest in the script's line, {@code oci-image: <name> sha256:<hex> (...)}. */
  private static String digest(String line) {
    return line.split(" ")[2];
  }

  private static CommandResult run(List<String> command) {
    return CommandResult.run(command, Duration.ofMinutes(1)).requireSuccess();
  }

  private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
