package dev.fairlead.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts real Envoy processes for a test and always stops them: after the test method that started
 * them, after the class for those started in {@code @BeforeAll}, or at JVM exit.
 *
 * <p>When a test fails, every Envoy still running has its log and admin {@code /config_dump}
 * written to {@code target/failure-reports/<class>/<method>/}, published as report entries, and
 * printed (log tail and the start of the dump) to the test's output, which Surefire/Failsafe keep
 * in the failure report.
 *
 * <pre>{@code
 * @RegisterExtension
 * final Envoys envoys = new Envoys();
 * ...
 * EnvoyProcess envoy = envoys.start(EnvoyBootstrap.ads(xdsPort, AdsMode.DELTA)).awaitReady(Duration.ofSeconds(30));
 * }</pre>
 */
public final class Envoys extends TestScopedResources<EnvoyProcess>
    implements AfterTestExecutionCallback {

  private static final int LOG_TAIL_LINES = 80;
  private static final int DUMP_PRINT_CHARS = 8_000;

  private final AtomicInteger counter = new AtomicInteger();

  /** Starts an Envoy and returns once its admin interface answers. */
  public EnvoyProcess start(EnvoyBootstrap bootstrap) {
    return track(EnvoyProcess.start("envoy-" + counter.incrementAndGet(), bootstrap));
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isEmpty()) {
      return;
    }
    Path dir = FailureReports.directoryFor(context);
    for (EnvoyProcess envoy : open()) {
      attach(context, dir, envoy);
    }
  }

  private static void attach(ExtensionContext context, Path dir, EnvoyProcess envoy) {
    String dump;
    try {
      dump = envoy.isAlive() ? envoy.configDump() : "(Envoy is not running)";
    } catch (RuntimeException e) {
      dump = "(config_dump failed: " + e.getMessage() + ")";
    }
    String log = envoy.log();
    try {
      Files.createDirectories(dir);
      Path logCopy = dir.resolve(envoy.name() + ".log");
      Path dumpFile = dir.resolve(envoy.name() + "-config_dump.json");
      Files.writeString(logCopy, log);
      Files.writeString(dumpFile, dump);
      context.publishReportEntry(envoy.name() + ".log", logCopy.toAbsolutePath().toString());
      context.publishReportEntry(
          envoy.name() + ".config_dump", dumpFile.toAbsolutePath().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String[] lines = log.split("\n");
    int from = Math.max(0, lines.length - LOG_TAIL_LINES);
    StringBuilder out =
        new StringBuilder()
            .append("==== ")
            .append(envoy)
            .append(": last ")
            .append(lines.length - from)
            .append(" log lines ====\n");
    for (int i = from; i < lines.length; i++) {
      out.append(lines[i]).append('\n');
    }
    out.append("==== ")
        .append(envoy.name())
        .append(" /config_dump (")
        .append(dump.length())
        .append(" chars; whole dump in ")
        .append(dir)
        .append(") ====\n")
        .append(dump, 0, Math.min(dump.length(), DUMP_PRINT_CHARS))
        .append('\n');
    System.out.print(out);
  }
}
