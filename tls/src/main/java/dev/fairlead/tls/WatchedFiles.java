package dev.fairlead.tls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A few small files (certificates, keys, a token) used together: read once at start, then read
 * again every interval and handed to a loader whenever their contents changed. Comparing contents,
 * not modification times, catches every rotation — a Kubernetes Secret volume swapping a symlink, a
 * file rewritten within the same second — and a half-done rotation (a new certificate next to the
 * old key) is simply retried when the next file lands. Contents go to the loader only: log lines
 * name the paths and what the loader says it loaded.
 */
public final class WatchedFiles implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(WatchedFiles.class);

  /**
   * Puts the files' contents (in the order of the paths) to use; may answer a few words about them
   * for the log.
   */
  @FunctionalInterface
  public interface Loader {
    String load(List<byte[]> contents);
  }

  private final String what;
  private final List<Path> paths;
  private final Loader loader;
  private final ScheduledExecutorService executor;
  private byte[] lastSeen;
  private String lastFailure;

  private WatchedFiles(String what, List<Path> paths, Loader loader) {
    this.what = what;
    this.paths = paths;
    this.loader = loader;
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "fairlead-watch-" + what.replace(' ', '-'));
              thread.setDaemon(true);
              return thread;
            });
  }

  /**
   * Reads and loads the files now, then checks them every {@code interval}.
   *
   * @param what what the files are, for log lines and errors ("xDS TLS files")
   * @throws UnusableFileException when they cannot be read or loaded now, naming the file and the
   *     problem
   */
  public static WatchedFiles start(
      String what, List<Path> paths, Duration interval, Loader loader) {
    Objects.requireNonNull(what, "what");
    Objects.requireNonNull(loader, "loader");
    WatchedFiles files = new WatchedFiles(what, List.copyOf(paths), loader);
    try {
      List<byte[]> contents = files.read();
      String summary = files.load(contents);
      files.lastSeen = digest(contents);
      LOG.info("Loaded {} from {}{}", what, files.paths, summary.isEmpty() ? "" : ": " + summary);
    } catch (UnusableFileException e) {
      files.close();
      throw new UnusableFileException(what + ": " + e.getMessage());
    } catch (RuntimeException e) {
      files.close();
      throw new UnusableFileException(what + ": cannot be used (" + e.getClass().getName() + ")");
    }
    long millis = interval.toMillis();
    var unused =
        files.executor.scheduleWithFixedDelay(files::check, millis, millis, TimeUnit.MILLISECONDS);
    return files;
  }

  /**
   * One check: reloads when the contents changed; a failure keeps what was loaded before and is
   * logged once.
   */
  void check() {
    try {
      List<byte[]> contents = read();
      byte[] digest = digest(contents);
      if (Arrays.equals(digest, lastSeen)) {
        lastFailure = null;
        return;
      }
      lastSeen = digest;
      String summary = load(contents);
      lastFailure = null;
      LOG.info("Reloaded {} from {}{}", what, paths, summary.isEmpty() ? "" : ": " + summary);
    } catch (UnusableFileException e) {
      failed(e.getMessage());
    } catch (RuntimeException e) {
      // Not ours: its message might quote what it could not parse, so only its type is logged.
      failed("cannot be used (" + e.getClass().getName() + ")");
    }
  }

  private void failed(String reason) {
    if (!reason.equals(lastFailure)) {
      lastFailure = reason;
      LOG.warn("{} changed but cannot be used, still using the previous ones: {}", what, reason);
    }
  }

  private String load(List<byte[]> contents) {
    String summary = loader.load(contents);
    return summary == null ? "" : summary;
  }

  private List<byte[]> read() {
    List<byte[]> contents = new ArrayList<>(paths.size());
    for (Path path : paths) {
      try {
        contents.add(Files.readAllBytes(path));
      } catch (NoSuchFileException e) {
        throw new UnusableFileException(path + ": no such file");
      } catch (AccessDeniedException e) {
        throw new UnusableFileException(path + ": permission denied");
      } catch (IOException e) {
        throw new UnusableFileException(
            path + ": cannot read (" + e.getClass().getSimpleName() + ")");
      }
    }
    return contents;
  }

  private static byte[] digest(List<byte[]> contents) {
    try {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      for (byte[] content : contents) {
        sha256.update(ByteBuffer.allocate(Integer.BYTES).putInt(content.length).array());
        sha256.update(content);
      }
      return sha256.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
