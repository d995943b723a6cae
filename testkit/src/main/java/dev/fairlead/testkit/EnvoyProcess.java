package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real Envoy process (the provisioned binary) running a {@link EnvoyBootstrap}. Its output goes
 * to {@link #logFile()}; its admin interface is on an ephemeral 127.0.0.1 port that Envoy reports
 * through {@code --admin-address-path}.
 *
 * <p>The log level is {@code info}; {@code -Dfairlead.envoy.logLevel=debug} raises it for a whole
 * test run.
 *
 * <p>Closing stops the process (SIGTERM, then SIGKILL after five seconds); idempotent and
 * thread-safe.
 */
public final class EnvoyProcess implements AutoCloseable {

  private static final Duration ADMIN_STARTUP_TIMEOUT = Duration.ofSeconds(60);
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final String name;
  private final EnvoyBootstrap bootstrap;
  private final Path workDir;
  private final Process process;
  private final int adminPort;

  private EnvoyProcess(
      String name, EnvoyBootstrap bootstrap, Path workDir, Process process, int adminPort) {
    this.name = name;
    this.bootstrap = bootstrap;
    this.workDir = workDir;
    this.process = process;
    this.adminPort = adminPort;
  }

  /**
   * Starts Envoy and waits until its admin interface answers (not until it is ready: that needs a
   * control plane; see {@link #awaitReady}).
   */
  public static EnvoyProcess start(String name, EnvoyBootstrap bootstrap) {
    Tools tools = Tools.get();
    try {
      Path workDir = Files.createTempDirectory("fairlead-envoy-" + name + "-");
      Path config = workDir.resolve("bootstrap.yaml");
      Files.writeString(config, bootstrap.toYaml());
      Path adminAddress = workDir.resolve("admin-address");
      Path log = workDir.resolve("envoy.log");
      Process process =
          new ProcessBuilder(
                  List.of(
                      tools.envoyBinary().toString(),
                      "--config-path",
                      config.toString(),
                      "--admin-address-path",
                      adminAddress.toString(),
                      "--disable-hot-restart",
                      "--concurrency",
                      "1",
                      "--drain-time-s",
                      "1",
                      "--log-level",
                      System.getProperty("fairlead.envoy.logLevel", "info")))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      EnvoyProcess envoy;
      try {
        await("admin address of Envoy " + name)
            .atMost(ADMIN_STARTUP_TIMEOUT)
            .pollInterval(Duration.ofMillis(50))
            .until(
                () ->
                    !process.isAlive()
                        || (Files.exists(adminAddress) && Files.size(adminAddress) > 0));
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "Envoy "
                  + name
                  + " exited with "
                  + process.exitValue()
                  + " at start-up; its log:\n"
                  + Files.readString(log));
        }
        String address = Files.readString(adminAddress).strip();
        int port = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
        envoy = new EnvoyProcess(name, bootstrap, workDir, process, port);
      } catch (RuntimeException e) {
        process.destroyForcibly();
        throw e;
      }
      return envoy;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start Envoy " + name, e);
    }
  }

  public String name() {
    return name;
  }

  public EnvoyBootstrap bootstrap() {
    return bootstrap;
  }

  public int adminPort() {
    return adminPort;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public Path logFile() {
    return workDir.resolve("envoy.log");
  }

  /** Everything Envoy printed so far. */
  public String log() {
    try {
      return Files.readString(logFile(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile() + ": " + e.getMessage() + ")";
    }
  }

  /** GET on the admin interface. */
  public HttpResponse<String> admin(String pathAndQuery) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException("Envoy " + name + " admin " + pathAndQuery + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Whether {@code /ready} answers 200 (Envoy has initialized: its first CDS and LDS arrived). */
  public boolean isReady() {
    try {
      return admin("/ready").statusCode() == 200;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /** Waits until {@code /ready} answers 200, failing early if the process dies. */
  public EnvoyProcess awaitReady(Duration timeout) {
    await("Envoy " + name + " /ready")
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "Envoy " + name + " exited with " + process.exitValue());
              }
              return isReady();
            });
    return this;
  }

  /** {@code /config_dump}, with endpoints ({@code include_eds}). */
  public String configDump() {
    return admin("/config_dump?include_eds").body();
  }

  /** Stops Envoy abruptly, as a crash would. */
  public void kill() {
    process.destroyForcibly();
    waitForExit(Duration.ofSeconds(10));
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      if (!waitForExit(Duration.ofSeconds(5))) {
        kill();
      }
    }
  }

  private boolean waitForExit(Duration timeout) {
    try {
      return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public String toString() {
    return "Envoy "
        + name
        + " (node "
        + bootstrap.nodeId()
        + ", fleet "
        + bootstrap.cluster()
        + ", "
        + bootstrap.mode()
        + " ADS to 127.0.0.1:"
        + bootstrap.xdsPort()
        + ", admin 127.0.0.1:"
        + adminPort
        + ")";
  }
}
