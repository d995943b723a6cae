package dev.fairlead.app.standalone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigDirectoryTest {

  @TempDir
  Path dir;

  private final AtomicReference<ConfigDirectory.Snapshot> latest = new AtomicReference<>();
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

    await().atMost(Duration.ofSeconds(1)).untilAsserted(() ->
        assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one", "ConfigMap default/two"));
  }

  @Test
  void aBrokenFileIsReportedAndItsLastGoodContentKeepsServing() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    start();

    Files.writeString(dir.resolve("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n");

    await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
      assertThat(latest.get().problems()).singleElement()
          .satisfies(p -> assertThat(p.describe()).startsWith(dir.resolve("a.yaml") + ":"));
      assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one");
    });
  }

  @Test
  void aDeletedFileTakesItsObjectsWithIt() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("one"));
    Files.writeString(dir.resolve("b.yaml"), configMap("two"));
    start();

    Files.delete(dir.resolve("b.yaml"));

    await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(latest.get().origins()).containsOnlyKeys("ConfigMap default/one"));
  }

  @Test
  void anObjectDefinedTwiceKeepsItsFirstDefinition() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), configMap("same"));
    Files.writeString(dir.resolve("b.yaml"), configMap("same"));

    start();

    assertThat(latest.get().origins().get("ConfigMap default/same").file()).isEqualTo(dir.resolve("a.yaml"));
  }

  private void start() {
    directory = new ConfigDirectory(dir, Duration.ofMillis(50), latest::set);
    directory.start(Duration.ofSeconds(30));
  }

  private static String configMap(String name) {
    return "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\ndata: {k: v}\n";
  }
}
