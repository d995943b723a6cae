package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * An HTTP backend running inside a {@link TestHosts} network namespace, on an address of its own
 * (never loopback) and port {@value #PORT}, so EndpointSlices can list it. It keeps {@link
 * HttpBackend}'s identity contract: every request, whatever its method and path, is answered with
 * status 200 (or the one set by {@link #respondWith}), the body {@code <name>\n} and the header
 * {@value HttpBackend#IDENTITY_HEADER}: {@code <name>}.
 *
 * <p>The server is a small Python 3 script ({@code netns_http_backend.py}, a resource of this
 * package) run with {@code ip netns exec}. A second port on the same address, {@value
 * #CONTROL_PORT}, serves the test itself: {@link #requests()} and {@link #respondWith} go there, so
 * they are never counted as traffic. The script's output goes to {@link #logFile()}, which {@link
 * TestHosts} attaches to the report of a failed test.
 *
 * <p>Thread-safe. Closing stops the process (SIGTERM, then SIGKILL after five seconds); idempotent.
 * The script also exits when its standard input closes, so it cannot outlive the JVM that started
 * it. The address stays assigned until the namespace goes, so requests to a closed backend are
 * refused at once.
 */
public final class NetnsBackend implements AutoCloseable {

  /** The port every namespace backend serves traffic on. */
  public static final int PORT = 8080;

  /** The port, on the same address, of the backend's control interface. */
  public static final int CONTROL_PORT = 18080;

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CONTROL_TIMEOUT = Duration.ofSeconds(5);
  private static final HttpClient CONTROL =
      HttpClient.newBuilder()
          .proxy(HttpClient.Builder.NO_PROXY)
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  private final String name;
  private final String namespace;
  private final String address;
  private final Process process;
  private final Path logFile;
  private final AtomicBoolean closed = new AtomicBoolean();

  private NetnsBackend(
      String name, String namespace, String address, Process process, Path logFile) {
    this.name = name;
    this.namespace = namespace;
    this.address = address;
    this.process = process;
    this.logFile = logFile;
  }

  /**
   * Starts the backend on a fresh address of {@code namespace} and returns once its control port
   * answers from the root namespace.
   */
  static NetnsBackend start(TestHostNamespace namespace, String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "Backend name '"
              + name
              + "' must match "
              + NAME.pattern()
              + ": it becomes a response header and a file name");
    }
    String address = namespace.nextAddress();
    Process process;
    Path logFile;
    try {
      Path workDir = Files.createTempDirectory("fairlead-netns-backend-" + name + "-");
      logFile = workDir.resolve(name + ".log");
      process =
          new ProcessBuilder(
                  List.of(
                      "ip",
                      "netns",
                      "exec",
                      namespace.name(),
                      Script.PYTHON,
                      "-u",
                      Script.PATH.toString(),
                      "--name",
                      name,
                      "--address",
                      address,
                      "--port",
                      Integer.toString(PORT),
                      "--control-port",
                      Integer.toString(CONTROL_PORT)))
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start backend " + name + " in " + namespace, e);
    }
    NetnsBackend backend = new NetnsBackend(name, namespace.name(), address, process, logFile);
    try {
      await(
              "backend "
                  + name
                  + " answering on "
                  + address
                  + ":"
                  + CONTROL_PORT
                  + " in "
                  + namespace.name())
          .atMost(STARTUP_TIMEOUT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                if (!process.isAlive()) {
                  throw new IllegalStateException(
                      "Backend "
                          + name
                          + " in "
                          + namespace.name()
                          + " exited with "
                          + process.exitValue()
                          + " at start-up; its log:\n"
                          + backend.log());
                }
                return backend.controlAnswers();
              });
    } catch (RuntimeException e) {
      backend.close();
      throw e;
    }
    return backend;
  }

  public String name() {
    return name;
  }

  /** The backend's own IPv4 address, in {@code 10.213.0.0/16}. */
  public String address() {
    return address;
  }

  /** Always {@value #PORT}. */
  public int port() {
    return PORT;
  }

  /** The network namespace the backend runs in. */
  public String namespace() {
    return namespace;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Requests answered on {@link #port()} since start. */
  public long requests() {
    String body = control(HttpRequest.newBuilder(controlUri("/requests")).GET(), "GET /requests");
    return Long.parseLong(body.strip());
  }

  /**
   * The lower-case names of the headers of the last request answered on {@link #port()}; empty
   * before any.
   */
  public Set<String> lastHeaderNames() {
    String body =
        control(HttpRequest.newBuilder(controlUri("/last-headers")).GET(), "GET /last-headers");
    return body.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /** Answers every later request with this status (100..599). */
  public void respondWith(int status) {
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException(
          "Backend " + name + ": status must be within 100..599, got " + status);
    }
    control(
        HttpRequest.newBuilder(controlUri("/status/" + status))
            .PUT(HttpRequest.BodyPublishers.noBody()),
        "PUT /status/" + status);
  }

  public Path logFile() {
    return logFile;
  }

  /** Everything the backend printed so far: a line per request, and any error. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + logFile + ": " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true) && process.isAlive()) {
      process.destroy();
      if (!waitForExit()) {
        process.destroyForcibly();
        waitForExit();
      }
    }
  }

  private boolean controlAnswers() {
    try {
      HttpResponse<Void> response =
          CONTROL.send(
              HttpRequest.newBuilder(controlUri("/requests"))
                  .timeout(Duration.ofSeconds(2))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      return response.statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private String control(HttpRequest.Builder request, String what) {
    try {
      HttpResponse<String> response =
          CONTROL.send(
              request.timeout(CONTROL_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            this
                + ": control "
                + what
                + " answered "
                + response.statusCode()
                + ": "
                + response.body().strip());
      }
      return response.body();
    } catch (IOException e) {
      throw new UncheckedIOException(
          this
              + ": control "
              + what
              + " failed"
              + (process.isAlive() ? "" : " (the process exited with " + process.exitValue() + ")"),
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private URI controlUri(String path) {
    return URI.create("http://" + address + ":" + CONTROL_PORT + path);
  }

  private boolean waitForExit() {
    try {
      return process.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** What stops namespace backends from running here (no usable python3), if anything. */
  static Optional<String> probe() {
    try {
      return Files.isReadable(Script.PATH)
          ? Optional.empty()
          : Optional.of("Namespace backends cannot read their script at " + Script.PATH);
    } catch (ExceptionInInitializerError e) {
      return Optional.of(e.getCause().getMessage());
    }
  }

  @Override
  public String toString() {
    return "namespace backend " + name + " on " + address + ":" + PORT + " in " + namespace;
  }

  /**
   * What {@code ip netns exec} runs: the resolved {@code python3} (3.7+ for ThreadingHTTPServer;
   * resolved once, so no shell shim stands between the process and the signals it gets) and the
   * script, copied once per JVM out of the class path.
   */
  static final class Script {

    static final String PYTHON = resolvePython();
    static final Path PATH = extract();

    private Script() {}

    private static String resolvePython() {
      CommandResult result;
      try {
        result =
            CommandResult.run(
                List.of(
                    "python3",
                    "-c",
                    "import sys; assert sys.version_info >= (3, 7), sys.version; print(sys.executable)"),
                Duration.ofSeconds(30));
      } catch (IllegalStateException e) {
        throw new IllegalStateException(
            "Namespace backends need python3 (3.7 or later) on the PATH: " + e.getMessage(), e);
      }
      if (result.exitCode() != 0 || result.stdout().isBlank()) {
        throw new IllegalStateException(
            "Namespace backends need python3 3.7 or later on the PATH; python3 said: "
                + (result.stderr() + result.stdout()).strip());
      }
      return result.stdout().strip();
    }

    private static Path extract() {
      try (InputStream in = NetnsBackend.class.getResourceAsStream("netns_http_backend.py")) {
        if (in == null) {
          throw new IllegalStateException(
              "netns_http_backend.py is missing from the fairlead-testkit class path");
        }
        Path dir = Files.createTempDirectory("fairlead-netns-backend-script-");
        dir.toFile().deleteOnExit();
        Path script = dir.resolve("netns_http_backend.py");
        Files.copy(in, script, StandardCopyOption.REPLACE_EXISTING);
        script.toFile().deleteOnExit();
        return script;
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot extract netns_http_backend.py", e);
      }
    }
  }
}
