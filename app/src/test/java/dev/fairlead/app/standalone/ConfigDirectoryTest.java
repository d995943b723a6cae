package dev.fairlead.app.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.fairlead.testkit.CapturedLogs;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryTest {

  private static final Duration DEBOUNCE = Duration.ofMillis(50);
  private static final Duration REMOVAL_GRACE = Duration.ofMillis(600);

  @TempDir Path dir;

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private final AtomicReference<ConfigDirectory.Snapshot> latest = new AtomicReference<>();

  /** Every snapshot handed to the consumer, in order. */
  private final List<ConfigDirectory.Snapshot> all = new CopyOnWriteArrayList<>();

  private ConfigDirectory directory;

  @AfterEach
  void close() {
    if (directory != null) {
      directory.close();
    }
  }

  @Test
  void aChangedFileIsServedWithinASecond() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();
    assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one");

    Files.writeString(dir.resolve("b.yml"), configMap("two"));

    await()
        .atMost(Duration.ofSeconds(1))
        .untilAsserted(
            () ->
                assertThat(latest.get().origins())
                    .containsOnlyKeys("ConfigMap default/one", "ConfigMap default/two"));
  }

  @Test
  void aBrokenFileIsReportedAndItsLastGoodContentKeepsServing() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    Files.writeString(
        dir.resolve("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(latest.get().problems())
                  .singleElement()
                  .satisfies(p -> assertThat(p.describe()).startsWith(dir.resolve("a.yaml") + ":"));
              assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one");
            });
  }

  @Test
  void aDeletedFileTakesItsObjectsWithItOnceTheRemovalGracePeriodEnds() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    Files.writeString(dir.resolve("b.yaml"), configMap("two"));
    start();

    long deleted = System.nanoTime();
    Files.delete(dir.resolve("b.yaml"));

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one"));
    assertThat(Duration.ofNanos(System.nanoTime() - deleted)).isGreaterThanOrEqualTo(REMOVAL_GRACE);
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.startsWith("INFO") && line.contains(dir.resolve("b.yaml") + " was removed"));
  }

  @Test
  void aFileDeletedAndWrittenAgainIsNeverServedAsRemoved() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    Files.writeString(dir.resolve("b.yaml"), configMap("two"));
    start();

    Files.delete(dir.resolve("b.yaml"));
    await("the deletion is seen").atMost(Duration.ofSeconds(2)).until(() -> all.size() > 1);
    Files.writeString(dir.resolve("b.yaml"), configMap("two").replace("k: v", "k: more"));

    await()
        .atMost(Duration.ofSeconds(1))
        .untilAsserted(() -> assertThat(latest.get().state().toString()).contains("more"));
    await("the replaced file is never served as removed")
        .during(REMOVAL_GRACE.multipliedBy(2))
        .atMost(REMOVAL_GRACE.multipliedBy(3))
        .untilAsserted(
            () ->
                assertThat(all)
                    .allSatisfy(
                        snapshot ->
                            assertThat(snapshot.origins())
                                .containsOnlyKeys(
                                    "ConfigMap default/one", "ConfigMap default/two")));
  }

  @Test
  void aChangeMadeWhileASnapshotIsConsumedIsReadRightAfterIt() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    CountDownLatch consuming = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    directory =
        new ConfigDirectory(
            dir,
            DEBOUNCE,
            REMOVAL_GRACE,
            snapshot -> {
              latest.set(snapshot);
              if (snapshot.origins().containsKey("ConfigMap default/two")) {
                consuming.countDown();
                try {
                  release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    directory.start(Duration.ofSeconds(30));

    Files.writeString(dir.resolve("b.yaml"), configMap("two"));
    assertThat(consuming.await(2, TimeUnit.SECONDS)).isTrue();
    try (WatchService events = dir.getFileSystem().newWatchService()) {
      dir.register(events, StandardWatchEventKinds.ENTRY_CREATE);
      Files.writeString(dir.resolve("c.yaml"), configMap("three"));
      assertThat(events.poll(2, TimeUnit.SECONDS))
          .as("the file system reported c.yaml")
          .isNotNull();
    }
    release.countDown();

    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(latest.get().origins())
                    .containsOnlyKeys(
                        "ConfigMap default/one",
                        "ConfigMap default/two",
                        "ConfigMap default/three"));
  }

  @Test
  void aFileThatIsNotUtf8KeepsItsLastGoodContentAndIsReportedOnceWithItsLine() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    byte[] latin1 =
        ("# caf\u00e9\n" + configMap("one").replace("k: v", "k: more"))
            .getBytes(StandardCharsets.ISO_8859_1);
    replace("a.yaml", latin1);

    awaitProblem("a.yaml", ":1: not UTF-8: byte 0xE9 at offset 5");
    assertThat(latest.get().state().toString()).doesNotContain("more");
    Files.writeString(dir.resolve("b.yaml"), configMap("two"));
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(latest.get().origins())
                    .containsOnlyKeys("ConfigMap default/one", "ConfigMap default/two"));
    assertThat(logs.lines())
        .filteredOn(line -> line.contains("not UTF-8"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("WARN")
                    .contains(dir.resolve("a.yaml").toString())
                    .contains("its last good content keeps serving"));
  }

  @Test
  void randomBytesKeepTheLastGoodContent() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    byte[] garbage = new byte[4096];
    new Random(15).nextBytes(garbage);
    replace("a.yaml", garbage);

    awaitProblem("a.yaml", "not UTF-8");
  }

  @Test
  void aFileThatCannotBeOpenedKeepsItsLastGoodContent() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    // Opening a Unix domain socket fails for every user, root included (ENXIO).
    Path socket = dir.resolve(".a.yaml.sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Files.move(
          socket,
          dir.resolve("a.yaml"),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);

      awaitProblem("a.yaml", "cannot be read: ");
    }
  }

  @Test
  void aFileWithoutReadPermissionKeepsItsLastGoodContent() throws Exception {
    Path file = dir.resolve("a.yaml");
    Files.writeString(file, configMap("one"));
    start();

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("---------"));
    assumeFalse(Files.isReadable(file), "permissions do not stop this user (root) from reading");

    awaitProblem("a.yaml", "cannot be read: permission denied");
  }

  @Test
  void aSymbolicLinkToItselfKeepsTheLastGoodContent() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    Path link = Files.createSymbolicLink(dir.resolve(".a.yaml.link"), Path.of("a.yaml"));
    Files.move(
        link,
        dir.resolve("a.yaml"),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);

    awaitProblem("a.yaml", "cannot be read: ");
    assertThat(latest.get().problems().get(0).message()).containsIgnoringCase("symbolic links");
  }

  @Test
  void anEmptyFileKeepsTheLastGoodContentAndACommentDeclaresNothing() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    replace("a.yaml", " \n\t\n".getBytes(StandardCharsets.UTF_8));
    awaitProblem("a.yaml", "the file is empty");

    replace("a.yaml", "# nothing here for now\n".getBytes(StandardCharsets.UTF_8));
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(latest.get().origins()).isEmpty();
              assertThat(latest.get().problems()).isEmpty();
            });
  }

  @Test
  void aDirectoryWithAConfigurationFilesNameIsReported() throws Exception {
    Files.createDirectory(dir.resolve("x.yaml"));
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));

    start();

    assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one");
    assertThat(latest.get().problems())
        .singleElement()
        .satisfies(
            p ->
                assertThat(p.describe())
                    .isEqualTo(dir.resolve("x.yaml") + ": cannot be read: Is a directory"));
  }

  @Test
  void anObjectDefinedTwiceKeepsItsFirstDefinition() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("same"));
    Files.writeString(dir.resolve("b.yaml"), configMap("same"));

    start();

    assertThat(latest.get().origins().get("ConfigMap default/same").file())
        .isEqualTo(dir.resolve("a.yaml"));
    Files.writeString(dir.resolve("c.yaml"), configMap("other"));
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(latest.get().origins())
                    .containsOnlyKeys("ConfigMap default/same", "ConfigMap default/other"));
    assertThat(logs.lines())
        .filteredOn(line -> line.contains("is already defined"))
        .singleElement()
        .satisfies(
            line ->
                assertThat(line)
                    .startsWith("WARN")
                    .contains(
                        dir.resolve("b.yaml")
                            + ":1: ConfigMap"
                            + " default/same is already defined at "
                            + dir.resolve("a.yaml")
                            + ":1"));
  }

  private void start() {
    directory =
        new ConfigDirectory(
            dir,
            DEBOUNCE,
            REMOVAL_GRACE,
            snapshot -> {
              all.add(snapshot);
              latest.set(snapshot);
            });
    directory.start(Duration.ofSeconds(30));
  }

  /** Puts {@code content} under {@code name} the way editors save: written aside, renamed over. */
  private void replace(String name, byte[] content) throws IOException {
    Path temp = Files.write(dir.resolve("." + name + ".tmp"), content);
    Files.move(
        temp,
        dir.resolve(name),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Waits for {@code file}'s problem, then checks that {@code ConfigMap default/one}, its last good
   * content, keeps serving past the removal grace period.
   */
  private void awaitProblem(String file, String message) {
    await()
        .atMost(Duration.ofSeconds(2))
        .untilAsserted(
            () ->
                assertThat(latest.get().problems())
                    .singleElement()
                    .satisfies(
                        p ->
                            assertThat(p.describe())
                                .startsWith(dir.resolve(file).toString())
                                .contains(message)));
    await("the last good content keeps serving")
        .during(REMOVAL_GRACE.multipliedBy(2))
        .atMost(REMOVAL_GRACE.multipliedBy(3))
        .untilAsserted(
            () -> {
              assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one");
              assertThat(all)
                  .allSatisfy(
                      snapshot ->
                          assertThat(snapshot.origins()).containsKey("ConfigMap default/one"));
            });
    assertThat(logs.lines())
        .filteredOn(line -> line.contains(dir.resolve(file) + ":"))
        .singleElement()
        .satisfies(line -> assertThat(line).startsWith("WARN"));
  }

  private static String configMap(String name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata: {k: v}\n";
  }
}
