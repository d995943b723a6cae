package dev.fairlead.e2e;

import dev.fairlead.testkit.CommandResult;
import dev.fairlead.testkit.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The build an upgrade starts from, and a downgrade goes back to: the latest release tag ({@code
 * v<digit>…}) reachable from HEAD's parent or, when the repository has none, HEAD's parent itself.
 * Its {@code fairlead} jar is built once and cached by commit under {@code
 * $FAIRLEAD_CACHE_DIR/previous/<sha>/fairlead.jar} (default {@code ~/.cache/fairlead}), next to
 * that build's log.
 *
 * <p>The build runs {@code ./mvnw package} (never {@code install}) of that commit's {@code app}
 * module in a temporary directory holding {@code git archive} of the commit: the local repository's
 * artifacts of the current build are left alone. It uses the local repository of the Maven running
 * the tests (the system property {@code fairlead.maven.repo.local}, which the e2e POM passes) and
 * runs offline first, as that repository usually holds all it needs; only if that fails does it run
 * again online.
 *
 * @param ref what was asked for: the tag, or {@code HEAD^}
 * @param sha the commit it names
 * @param jar the built jar
 * @param howBuilt "cached", or how long building took
 */
record PreviousBuild(String ref, String sha, Path jar, String howBuilt) {

  private static final Duration GIT_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(10);

  PreviousBuild {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(sha, "sha");
    Objects.requireNonNull(jar, "jar");
    Objects.requireNonNull(howBuilt, "howBuilt");
  }

  /** Whether there is a previous build to run, and if not, why. */
  sealed interface Lookup permits Available, Unavailable {}

  record Available(PreviousBuild build) implements Lookup {}

  record Unavailable(String reason) implements Lookup {}

  /**
   * The previous build of the repository holding {@code directory}, built now unless cached; {@link
   * Unavailable} when the checkout is no git repository or HEAD has no parent (a first commit, or a
   * shallow clone).
   *
   * @throws IllegalStateException when the previous commit cannot be archived or built, naming the
   *     commit and the build's log
   */
  static Lookup locate(Path directory) {
    CommandResult top = git(directory, "rev-parse", "--show-toplevel");
    if (top.exitCode() != 0) {
      return new Unavailable(
          directory.toAbsolutePath() + " is not in a git checkout: " + top.stderr().strip());
    }
    Path root = Path.of(top.stdout().strip());
    if (git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").exitCode() != 0) {
      return new Unavailable(
          "HEAD "
              + git(root, "rev-parse", "HEAD").stdout().strip()
              + " has no parent commit here (a first commit, or a shallow clone): no previous build to upgrade from");
    }
    CommandResult tag =
        git(root, "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*", "HEAD^");
    String ref = tag.exitCode() == 0 ? tag.stdout().strip() : "HEAD^";
    String sha =
        git(root, "rev-parse", "--verify", ref + "^{commit}").requireSuccess().stdout().strip();
    Path home = Tools.cacheDir().resolve("previous").resolve(sha);
    Path jar = home.resolve("fairlead.jar");
    if (Files.isRegularFile(jar)) {
      return new Available(new PreviousBuild(ref, sha, jar, "cached"));
    }
    long start = System.nanoTime();
    build(root, ref, sha, home, jar);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    return new Available(
        new PreviousBuild(ref, sha, jar, "built in " + ServiceLevels.seconds(took)));
  }

  /** The commit, shortened, and what it was asked as. */
  String describe() {
    return ref + " (" + sha.substring(0, 12) + ", " + howBuilt + ")";
  }

  private static void build(Path root, String ref, String sha, Path home, Path jar) {
    Path work = null;
    try {
      Files.createDirectories(home);
      work = Files.createTempDirectory("fairlead-previous-");
      Path archive = work.resolve("source.tar");
      Path source = Files.createDirectories(work.resolve("source"));
      git(root, "archive", "--format=tar", "-o", archive.toString(), sha).requireSuccess();
      CommandResult.run(
              List.of("tar", "-xf", archive.toString(), "-C", source.toString()), GIT_TIMEOUT)
          .requireSuccess();
      if (!Files.isRegularFile(source.resolve("mvnw"))) {
        throw new IllegalStateException(
            "the previous build " + ref + " (" + sha + ") has no mvnw to build it with");
      }
      Path log = home.resolve("build.log");
      CommandResult built = maven(source, true);
      if (built.exitCode() != 0) {
        built = maven(source, false);
      }
      Files.writeString(
          log, String.join(" ", built.command()) + "\n" + built.stdout() + built.stderr());
      Path shaded = source.resolve("app").resolve("target").resolve("fairlead.jar");
      if (built.exitCode() != 0 || !Files.isRegularFile(shaded)) {
        List<String> lines = (built.stdout() + built.stderr()).lines().toList();
        throw new IllegalStateException(
            "building the previous build "
                + ref
                + " ("
                + sha
                + ") failed with exit "
                + built.exitCode()
                + " (full log: "
                + log
                + "):\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())));
      }
      Path partial = home.resolve("fairlead.jar.partial");
      Files.copy(shaded, partial, StandardCopyOption.REPLACE_EXISTING);
      Files.move(partial, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot build the previous build " + ref + " (" + sha + ") in " + work, e);
    } finally {
      deleteTree(work);
    }
  }

  /**
   * {@code ./mvnw package} of the app module and what it needs, offline or not, never installing.
   */
  private static CommandResult maven(Path source, boolean offline) {
    List<String> command = new ArrayList<>(List.of("sh", "./mvnw", "-B", "-ntp", "-q"));
    if (offline) {
      command.add("-o");
    }
    String repository = System.getProperty("fairlead.maven.repo.local", "");
    if (!repository.isBlank()) {
      command.add("-Dmaven.repo.local=" + repository);
    }
    command.addAll(
        List.of(
            "-pl",
            "app",
            "-am",
            "package",
            "-Dmaven.test.skip=true",
            "-DskipTests",
            "-Dmaven.install.skip=true",
            "-Dfairlead.skipProvision=true"));
    return CommandResult.run(command, source, BUILD_TIMEOUT);
  }

  private static CommandResult git(Path directory, String... arguments) {
    List<String> command = new ArrayList<>(List.of("git", "-C", directory.toString()));
    command.addAll(List.of(arguments));
    return CommandResult.run(command, GIT_TIMEOUT);
  }

  /** Best effort: a temporary tree left behind must not hide why the build failed. */
  private static void deleteTree(Path tree) {
    if (tree == null) {
      return;
    }
    try (Stream<Path> paths = Files.walk(tree)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException ignored) {
      // in the temporary directory, which the OS cleans
    }
  }
}
