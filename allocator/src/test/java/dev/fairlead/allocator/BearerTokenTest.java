package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.tls.UnusableFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenTest {

  private static final String TOKEN = "s3cr3t-allocator-token-0123456789";

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path dir;

  @Test
  void acceptsOnlyTheTokenOfTheFileAsABearerToken() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), TOKEN + "\n");
    try (BearerToken token = BearerToken.watch(file, Duration.ofSeconds(10))) {
      assertThat(token.refusal("Bearer " + TOKEN)).isEmpty();
      assertThat(token.refusal("bearer " + TOKEN)).isEmpty();
      assertThat(token.refusal(null))
          .hasValueSatisfying(r -> assertThat(r).contains("requires a bearer token"));
      assertThat(token.refusal("Bearer " + TOKEN + "x")).hasValue("the bearer token is not valid");
      assertThat(token.refusal("Bearer " + TOKEN.substring(1)))
          .hasValue("the bearer token is not valid");
      assertThat(token.refusal("Bearer ")).hasValue("the bearer token is not valid");
      assertThat(token.refusal("Basic " + TOKEN))
          .hasValueSatisfying(r -> assertThat(r).contains("only bearer"));
      assertThat(token.refusal(TOKEN)).isPresent();
    }
    logs.assertNoLineContains("the token", TOKEN);
  }

  @Test
  void aNewTokenInTheFileReplacesTheOldOneWithoutARestart() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), TOKEN);
    try (BearerToken token = BearerToken.watch(file, Duration.ofMillis(50))) {
      Files.writeString(file, "rotated-" + TOKEN);

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> token.refusal("Bearer rotated-" + TOKEN).isEmpty());
      assertThat(token.refusal("Bearer " + TOKEN)).isPresent();

      Files.writeString(file, "  \n");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  logs.lines().stream()
                      .anyMatch(
                          line ->
                              line.startsWith("WARN") && line.contains(file + ": no token in it")));
      assertThat(token.refusal("Bearer rotated-" + TOKEN)).isEmpty();
    }
    logs.assertNoLineContains("the token", TOKEN);
  }

  @Test
  void anEmptyOrMissingFileStopsStartUpNamingIt() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> BearerToken.watch(empty, Duration.ofSeconds(10)))
        .isInstanceOf(UnusableFileException.class)
        .hasMessage("allocator bearer token: " + empty + ": no token in it");
    assertThatThrownBy(() -> BearerToken.watch(dir.resolve("missing"), Duration.ofSeconds(10)))
        .hasMessage("allocator bearer token: " + dir.resolve("missing") + ": no such file");
    Path twoWords = Files.writeString(dir.resolve("two"), "two words");
    assertThatThrownBy(() -> BearerToken.watch(twoWords, Duration.ofSeconds(10)))
        .hasMessageContaining("one line of visible ASCII characters without spaces");
  }
}
