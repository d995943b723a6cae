package dev.fairlead.app.standalone;

import dev.fairlead.api.state.ClusterState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's source: the {@code *.yaml}/{@code *.yml} files of one directory, watched. Every
 * change (coalesced over a short delay, and a periodic rescan for file systems whose events are
 * unreliable, such as mounted ConfigMaps) produces a new {@link Snapshot} for the consumer.
 *
 * <p>What each file contributes, and what it promises:
 *
 * <ul>
 *   <li>A file that cannot be used — it cannot be read (permissions, a symbolic link to itself or
 *       to nothing, a directory with a configuration file's name), it is not UTF-8, it is empty
 *       (see {@link ConfigFileParser}), its YAML is broken or an object in it is — is reported once
 *       at WARN, with its name, line and reason, and its last good content keeps serving: a typo or
 *       a half-written save never takes down what already works.
 *   <li>A file that disappears keeps serving its last good content for the removal grace period.
 *       Editors and configuration tools replace files by deleting and writing them again, or by
 *       renaming another file over them; whatever appears under the name within the grace period
 *       takes over without a gap. A file still gone when the grace period ends takes its objects
 *       with it.
 *   <li>Objects defined twice keep the first definition (files in name order) and the duplicate is
 *       reported.
 * </ul>
 *
 * <p>The consumer is called on this source's single thread, one snapshot at a time; closing stops
 * the thread. A change seen while a snapshot is being made or consumed is read right after it.
 */
public final class ConfigDirectory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigDirectory.class);

  /**
   * A consistent view of the directory: the state to serve, where each object came from, current
   * problems.
   */
  public record Snapshot(
      ClusterState state,
      Map<String, ParsedFile.Located> origins,
      List<ParsedFile.Broken> problems) {
    public Snapshot {
      origins = Map.copyOf(origins);
      problems = List.copyOf(problems);
    }
  }

  /** What one rescan found under a configuration file's name. */
  private sealed interface Seen permits Content, Unreadable, Missing {}

  /** The file's bytes, compared by content. */
  private record Content(ByteBuffer bytes) implements Seen {}

  /** The name is there, but its content cannot be read, for {@code reason}. */
  private record Unreadable(String reason) implements Seen {}

  /**
   * Gone since {@code sinceNanos} ({@link System#nanoTime}); its last good content serves out the
   * grace period.
   */
  private record Missing(long sinceNanos) implements Seen {}

  private final Path directory;
  private final Duration debounce;
  private final Duration removalGrace;
  private final Consumer<Snapshot> consumer;
  private final ConfigFileParser parser = new ConfigFileParser();
  private final ScheduledExecutorService executor;
  private final AtomicBoolean reloadScheduled = new AtomicBoolean();
  // The fields below are touched only on the executor's thread.
  private final Map<Path, ParsedFile.Good> lastGood = new HashMap<>();
  private final Map<Path, String> reportedProblems = new HashMap<>();
  private Map<Path, Seen> published;
  private Set<String> reportedDuplicates = Set.of();
  private String listingProblem;
  private WatchService watcher;
  private Thread watchThread;

  /**
   * @param debounce how long to wait after a file event for the burst it starts to end
   * @param removalGrace how long a file that disappeared keeps serving, waiting for it to be
   *     written back
   */
  public ConfigDirectory(
      Path directory, Duration debounce, Duration removalGrace, Consumer<Snapshot> consumer) {
    this.directory = directory;
    this.debounce = debounce;
    this.removalGrace = removalGrace;
    this.consumer = consumer;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "fairlead-config-dir");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Reads the directory once (the consumer has the first snapshot when this returns), then watches
   * it.
   *
   * @throws IllegalArgumentException if the directory does not exist
   */
  public void start(Duration rescanInterval) {
    if (!Files.isDirectory(directory)) {
      throw new IllegalArgumentException("--config-dir " + directory + " is not a directory");
    }
    try {
      executor.submit(this::reload).get();
      watcher = directory.getFileSystem().newWatchService();
      directory.register(
          watcher,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot watch " + directory + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "Cannot read " + directory + ": " + e.getCause().getMessage(), e.getCause());
    }
    watchThread = new Thread(this::watch, "fairlead-config-watch");
    watchThread.setDaemon(true);
    watchThread.start();
    var unused =
        executor.scheduleWithFixedDelay(
            this::reload,
            rescanInterval.toMillis(),
            rescanInterval.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void watch() {
    try {
      while (true) {
        var key = watcher.take();
        key.pollEvents();
        key.reset();
        scheduleReload();
      }
    } catch (InterruptedException | ClosedWatchServiceException | RejectedExecutionException e) {
      // closing
    }
  }

  /**
   * At most one reload waits for its debounce delay at a time. The flag is cleared when that reload
   * starts, not when it ends: an event arriving while it reads the files or while the consumer
   * works gets a reload of its own.
   */
  private void scheduleReload() {
    if (reloadScheduled.compareAndSet(false, true)) {
      var unused =
          executor.schedule(
              () -> {
                reloadScheduled.set(false);
                reload();
              },
              debounce.toMillis(),
              TimeUnit.MILLISECONDS);
    }
  }

  /** On the source's thread: rescans, and hands a snapshot to the consumer if any file changed. */
  private void reload() {
    try {
      Map<Path, Seen> seen = rescan();
      if (seen.equals(published)) {
        return;
      }
      published = seen;
      consumer.accept(apply(seen));
    } catch (IOException e) {
      if (!e.toString().equals(listingProblem)) {
        listingProblem = e.toString();
        LOG.warn(
            "Cannot list {}: {}; the last good configuration keeps serving",
            directory,
            e.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.error("Reloading {} failed; the last good configuration keeps serving", directory, e);
    }
  }

  /**
   * Every configuration file's name with what is there now, and each file still in its removal
   * grace period.
   */
  private Map<Path, Seen> rescan() throws IOException {
    List<Path> names;
    try (Stream<Path> listing = Files.list(directory)) {
      names = listing.filter(ConfigDirectory::isConfigName).sorted().toList();
    }
    if (listingProblem != null) {
      listingProblem = null;
      LOG.info("{} can be listed again", directory);
    }
    Map<Path, Seen> seen = new HashMap<>();
    for (Path file : names) {
      Seen found = read(file);
      if (found != null) {
        seen.put(file, found);
      }
    }
    long now = System.nanoTime();
    for (Path file : lastGood.keySet()) {
      if (!seen.containsKey(file)) {
        if (published != null && published.get(file) instanceof Missing missing) {
          if (now - missing.sinceNanos() < removalGrace.toNanos()) {
            seen.put(file, missing);
          }
        } else {
          LOG.debug(
              "{} is gone; its objects keep serving for {} in case it is being replaced",
              file,
              removalGrace);
          seen.put(file, new Missing(now));
          var unused =
              executor.schedule(this::reload, removalGrace.toNanos(), TimeUnit.NANOSECONDS);
        }
      }
    }
    return seen;
  }

  /**
   * What is under {@code file}'s name, or null if nothing is. Every failure to read is {@link
   * Unreadable}, never absent: only a name that is not there removes a file's objects.
   */
  private static Seen read(Path file) {
    try {
      return new Content(ByteBuffer.wrap(Files.readAllBytes(file)));
    } catch (NoSuchFileException e) {
      if (Files.isSymbolicLink(file)) {
        return new Unreadable("it is a symbolic link to a file that does not exist");
      }
      return null; // deleted since the listing; its own event follows
    } catch (AccessDeniedException e) {
      return new Unreadable("permission denied");
    } catch (FileSystemException e) {
      return new Unreadable(e.getReason() == null ? e.getMessage() : e.getReason());
    } catch (IOException e) {
      return new Unreadable(e.getMessage());
    }
  }

  /**
   * Parses what was seen, logs what changed for the worse or the better, and makes the snapshot to
   * serve.
   */
  private Snapshot apply(Map<Path, Seen> seen) {
    for (var gone = lastGood.entrySet().iterator(); gone.hasNext(); ) {
      var entry = gone.next();
      if (!seen.containsKey(entry.getKey())) {
        LOG.info(
            "{} was removed; its {} object(s) are no longer served",
            entry.getKey(),
            entry.getValue().objects().size());
        gone.remove();
      }
    }
    reportedProblems.keySet().retainAll(seen.keySet());
    List<ParsedFile.Broken> problems = new ArrayList<>();
    for (Path file : seen.keySet().stream().sorted().toList()) {
      ParsedFile parsed;
      if (seen.get(file) instanceof Content content) {
        parsed = parser.parse(file, content.bytes().array());
      } else if (seen.get(file) instanceof Unreadable unreadable) {
        parsed = new ParsedFile.Broken(file, 0, "cannot be read: " + unreadable.reason());
      } else {
        continue; // Missing: its last good content serves out the grace period
      }
      if (parsed instanceof ParsedFile.Good good) {
        lastGood.put(file, good);
        if (reportedProblems.remove(file) != null) {
          LOG.info("{} is valid again", file);
        }
      } else {
        ParsedFile.Broken broken = (ParsedFile.Broken) parsed;
        problems.add(broken);
        if (!broken.describe().equals(reportedProblems.put(file, broken.describe()))) {
          LOG.warn(
              "{} ({})",
              broken.describe(),
              lastGood.containsKey(file)
                  ? "its last good content keeps serving"
                  : "nothing from this file is served until it is fixed");
        }
      }
    }
    return snapshot(problems);
  }

  /** Reports each duplicate definition once, while it lasts. */
  private Snapshot snapshot(List<ParsedFile.Broken> problems) {
    Map<String, ParsedFile.Located> origins = new LinkedHashMap<>();
    Set<String> duplicates = new HashSet<>();
    for (ParsedFile.Good good :
        lastGood.values().stream()
            .sorted(java.util.Comparator.comparing(ParsedFile.Good::file))
            .toList()) {
      for (ParsedFile.Located located : good.objects()) {
        String key = key(located.object());
        ParsedFile.Located first = origins.putIfAbsent(key, located);
        if (first != null) {
          String duplicate =
              located.file()
                  + ":"
                  + located.line()
                  + ": "
                  + key
                  + " is already defined at "
                  + first.file()
                  + ":"
                  + first.line()
                  + "; this definition is ignored";
          duplicates.add(duplicate);
          if (!reportedDuplicates.contains(duplicate)) {
            LOG.warn(duplicate);
          }
        }
      }
    }
    reportedDuplicates = duplicates;
    return new Snapshot(
        ClusterState.of(origins.values().stream().map(ParsedFile.Located::object).toList()),
        origins,
        problems);
  }

  /**
   * {@code Kind namespace/name}, how objects are named in logs; the namespace is empty for a
   * GatewayClass.
   */
  public static String key(HasMetadata object) {
    return object.getKind()
        + " "
        + java.util.Objects.requireNonNullElse(object.getMetadata().getNamespace(), "")
        + "/"
        + object.getMetadata().getName();
  }

  /**
   * By name alone: whether the name can be read as a file is for {@link #read} to find out, and to
   * report.
   */
  private static boolean isConfigName(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
  }

  @Override
  public void close() {
    if (watchThread != null) {
      watchThread.interrupt();
    }
    try {
      if (watcher != null) {
        watcher.close();
      }
    } catch (IOException ignored) {
      // closing anyway
    }
    executor.shutdownNow();
  }
}
