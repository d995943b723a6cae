package dev.fairlead.app.standalone;

import dev.fairlead.api.state.ClusterState;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Standalone mode's source: the {@code *.yaml}/{@code *.yml} files of one directory, watched. Every change
 * (coalesced over a short delay, and a periodic rescan for file systems whose events are unreliable, such as
 * mounted ConfigMaps) produces a new {@link Snapshot} for the consumer.
 *
 * <p>A file that cannot be read is reported once, with its name and line, and its last good content keeps
 * serving — a typo never takes down what already works. Objects defined twice keep the first definition (files
 * in name order) and the duplicate is reported.
 *
 * <p>The consumer is called on this source's single thread, one snapshot at a time; closing stops the thread.
 */
public final class ConfigDirectory implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ConfigDirectory.class);

  /** A consistent view of the directory: the state to serve, where each object came from, current problems. */
  public record Snapshot(ClusterState state, Map<String, ParsedFile.Located> origins,
      List<ParsedFile.Broken> problems) {
    public Snapshot {
      origins = Map.copyOf(origins);
      problems = List.copyOf(problems);
    }
  }

  private final Path directory;
  private final Duration debounce;
  private final Consumer<Snapshot> consumer;
  private final ConfigFileParser parser = new ConfigFileParser();
  private final ScheduledExecutorService executor;
  private final Map<Path, ParsedFile.Good> lastGood = new HashMap<>();
  private final Map<Path, String> reportedProblems = new HashMap<>();
  private WatchService watcher;
  private Thread watchThread;
  private ScheduledFuture<?> pending;
  private Map<Path, String> published;

  public ConfigDirectory(Path directory, Duration debounce, Consumer<Snapshot> consumer) {
    this.directory = directory;
    this.debounce = debounce;
    this.consumer = consumer;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "fairlead-config-dir");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Reads the directory once (the consumer has the first snapshot when this returns), then watches it.
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
      directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot watch " + directory + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("Cannot read " + directory + ": " + e.getCause().getMessage(), e.getCause());
    }
    watchThread = new Thread(this::watch, "fairlead-config-watch");
    watchThread.setDaemon(true);
    watchThread.start();
    executor.scheduleWithFixedDelay(this::reload, rescanInterval.toMillis(), rescanInterval.toMillis(),
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
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // closing
    }
  }

  private synchronized void scheduleReload() {
    if (pending == null || pending.isDone()) {
      pending = executor.schedule(this::reload, debounce.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** On the source's thread: rescans, and hands a snapshot to the consumer if any file changed. */
  private void reload() {
    try {
      List<Path> files;
      try (Stream<Path> listing = Files.list(directory)) {
        files = listing.filter(ConfigDirectory::isConfigFile).sorted().toList();
      }
      Map<Path, String> contents = new LinkedHashMap<>();
      for (Path file : files) {
        try {
          contents.put(file, Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
          // deleted between listing and reading: the next event rescans
        }
      }
      if (contents.equals(published)) {
        return;
      }
      lastGood.keySet().retainAll(contents.keySet());
      reportedProblems.keySet().retainAll(contents.keySet());
      List<ParsedFile.Broken> problems = new ArrayList<>();
      for (var entry : contents.entrySet()) {
        ParsedFile.Good previous = lastGood.get(entry.getKey());
        ParsedFile parsed = parser.parse(entry.getKey(), entry.getValue());
        if (parsed instanceof ParsedFile.Good good) {
          lastGood.put(entry.getKey(), good);
          if (reportedProblems.remove(entry.getKey()) != null) {
            LOG.info("{} is valid again", entry.getKey());
          }
        } else {
          ParsedFile.Broken broken = (ParsedFile.Broken) parsed;
          problems.add(broken);
          if (!broken.describe().equals(reportedProblems.put(entry.getKey(), broken.describe()))) {
            LOG.error("{} ({})", broken.describe(), previous == null
                ? "nothing from this file is served until it is fixed"
                : "its last good content keeps serving");
          }
        }
      }
      published = contents;
      consumer.accept(snapshot(problems));
    } catch (IOException e) {
      LOG.error("Cannot list {}: {}; the last good configuration keeps serving", directory, e.getMessage());
    } catch (RuntimeException e) {
      LOG.error("Reloading {} failed; the last good configuration keeps serving", directory, e);
    }
  }

  private Snapshot snapshot(List<ParsedFile.Broken> problems) {
    Map<String, ParsedFile.Located> origins = new LinkedHashMap<>();
    for (ParsedFile.Good good : lastGood.values().stream().sorted(
        java.util.Comparator.comparing(ParsedFile.Good::file)).toList()) {
      for (ParsedFile.Located located : good.objects()) {
        String key = key(located.object());
        ParsedFile.Located first = origins.putIfAbsent(key, located);
        if (first != null) {
          LOG.error("{}:{}: {} is already defined at {}:{}; this definition is ignored", located.file(),
              located.line(), key, first.file(), first.line());
        }
      }
    }
    return new Snapshot(ClusterState.of(origins.values().stream().map(ParsedFile.Located::object).toList()),
        origins, problems);
  }

  /** {@code Kind namespace/name}, how objects are named in logs; the namespace is empty for a GatewayClass. */
  public static String key(HasMetadata object) {
    return object.getKind() + " " + java.util.Objects.requireNonNullElse(object.getMetadata().getNamespace(), "")
        + "/" + object.getMetadata().getName();
  }

  private static boolean isConfigFile(Path file) {
    String name = file.getFileName().toString();
    return Files.isRegularFile(file) && !name.startsWith(".") && (name.endsWith(".yaml") || name.endsWith(".yml"));
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
