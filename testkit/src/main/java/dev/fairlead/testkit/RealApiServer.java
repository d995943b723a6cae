package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubeapitest.process.KubeAPIServerProcess;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver (with its own etcd) for one test class, started from the binaries {@code
 * scripts/provision.sh} built, through fabric8 kube-api-test. Every listener is on 127.0.0.1.
 *
 * <p>Register it as a static field so it lives for the whole class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RealApiServer apiServer = new RealApiServer();
 * }</pre>
 *
 * <p>Offers a fabric8 client, a kubeconfig file for other processes (kubectl, helm, a Fairlead
 * instance), and the provisioned kubectl and helm pointed at it. The server never touches the
 * user's {@code ~/.kube/config}. Methods may be called from any thread once the class has started.
 *
 * <p>{@link #restartApiServer()} restarts the kube-apiserver process alone, on the same port with
 * the same etcd: what clients see in a control-plane upgrade. {@link #compactEtcd()} compacts
 * etcd's history up to its current revision, as the API server itself does every few minutes: reads
 * and watches from an older revision are gone.
 */
public final class RealApiServer implements BeforeAllCallback, AfterAllCallback {

  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final List<String> extraFlags;
  private volatile KubeAPIServer server;
  private volatile KubernetesClient client;
  private volatile Path kubeconfig;

  /**
   * The kube-apiserver process {@link #restartApiServer()} started last, which kube-api-test does
   * not know.
   */
  private volatile Process restarted;

  private volatile int restarts;

  public RealApiServer() {
    this(List.of());
  }

  /** With extra kube-apiserver flags, each as {@code --name=value}. */
  public RealApiServer(List<String> extraFlags) {
    this.extraFlags = List.copyOf(extraFlags);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    stop();
  }

  /**
   * Starts the server; {@link #beforeAll} calls it, tests that manage lifecycles themselves may
   * too.
   */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    Tools tools = Tools.get();
    List<String> flags = new ArrayList<>();
    flags.add("--bind-address=127.0.0.1");
    // The API server only advertises this address; nothing of ours may listen elsewhere.
    flags.add("--advertise-address=127.0.0.1");
    flags.add("--endpoint-reconciler-type=none");
    flags.addAll(extraFlags);
    KubeAPIServer started =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withTestDir(tools.kubeApiTestDir().toString())
                .withApiServerVersion(tools.kubernetesVersion())
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withStartupTimeout((int) STARTUP_TIMEOUT.toMillis())
                .withApiServerFlags(flags)
                .build());
    started.start();
    server = started;
    try {
      String yaml = started.getKubeConfigYaml();
      Path file = Files.createTempFile("fairlead-kubeconfig", ".yaml");
      Files.writeString(file, yaml);
      kubeconfig = file;
      client = newClient();
    } catch (IOException e) {
      stop();
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the server and deletes its data; idempotent. */
  public synchronized void stop() {
    if (client != null) {
      client.close();
      client = null;
    }
    if (restarted != null) {
      stopProcess(restarted);
      restarted = null;
    }
    if (server != null) {
      server.stop();
      server = null;
    }
    if (kubeconfig != null) {
      try {
        Files.deleteIfExists(kubeconfig);
      } catch (IOException ignored) {
        // a temp file; the OS cleans it
      }
      kubeconfig = null;
    }
  }

  /**
   * Restarts the kube-apiserver process and leaves etcd running: stops it with SIGTERM (SIGKILL if
   * it has not exited within 30 s), starts the same command again — same port, certificates, flags
   * and etcd data — and waits until {@code /readyz} says ok. Clients and kubeconfig files stay
   * valid. Its output goes to {@code target/kube-apiserver-restart-<n>.log}.
   *
   * @return how long the API server was away, from the stop until ready again
   */
  public synchronized Duration restartApiServer() {
    requireStarted();
    Process running = restarted != null ? restarted : kubeApiTestProcess();
    List<String> command = commandLine(running.pid());
    long start = System.nanoTime();
    stopProcess(running);
    int restart = ++restarts;
    Path log = Path.of("target", "kube-apiserver-restart-" + restart + ".log");
    try {
      Files.createDirectories(log.getParent());
      restarted =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start kube-apiserver again: " + String.join(" ", command), e);
    }
    Process process = restarted;
    await("kube-apiserver ready again after restart " + restart)
        .atMost(STARTUP_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .ignoreExceptions()
        .until(
            () -> {
              if (!process.isAlive()) {
                throw new IllegalStateException(
                    "kube-apiserver exited with "
                        + process.exitValue()
                        + " after restart "
                        + restart
                        + "; its log: "
                        + log.toAbsolutePath());
              }
              return "ok"
                  .equals(client.raw(client.getMasterUrl().toURI().resolve("/readyz").toString()));
            });
    return Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * Compacts etcd's key-value history up to its current revision (physically: it returns when the
   * compaction is done), through etcd's HTTP gateway at the {@code --etcd-servers} address the
   * running kube-apiserver uses. A watch or read from a resource version below the returned
   * revision is then answered {@code 410 Gone} wherever the API server's watch cache does not hold
   * it.
   *
   * @return the revision compacted to
   */
  public synchronized long compactEtcd() {
    requireStarted();
    Process running = restarted != null ? restarted : kubeApiTestProcess();
    String etcd = etcdServer(commandLine(running.pid()));
    try {
      JsonNode status = etcdPost(etcd, "/v3/maintenance/status", "{}");
      long revision = status.path("header").path("revision").asLong();
      if (revision <= 0) {
        throw new IllegalStateException("etcd at " + etcd + " reported no revision: " + status);
      }
      etcdPost(etcd, "/v3/kv/compaction", "{\"revision\":\"" + revision + "\",\"physical\":true}");
      return revision;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot compact etcd at " + etcd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted compacting etcd at " + etcd, e);
    }
  }

  /**
   * The first etcd server of a kube-apiserver command line, given as {@code --etcd-servers=URL,...}
   * or in two args.
   */
  static String etcdServer(List<String> command) {
    for (int i = 0; i < command.size(); i++) {
      String arg = command.get(i);
      String urls =
          arg.startsWith("--etcd-servers=")
              ? arg.substring("--etcd-servers=".length())
              : arg.equals("--etcd-servers") && i + 1 < command.size() ? command.get(i + 1) : null;
      if (urls != null) {
        return urls.split(",")[0];
      }
    }
    throw new IllegalStateException(
        "kube-apiserver runs without --etcd-servers: " + String.join(" ", command));
  }

  /**
   * One call to etcd's HTTP/JSON gateway; its JSON answer, or a failure naming the call and etcd's
   * answer.
   */
  private static JsonNode etcdPost(String etcd, String path, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(etcd + path))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(
          "etcd " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return new ObjectMapper().readTree(response.body());
  }

  /**
   * The kube-apiserver process kube-api-test started, marked stopped in kube-api-test so that its
   * exit is not taken for a crash (which would stop etcd and delete its data). kube-api-test 7.6.1
   * offers no restart; this reaches into its fields.
   */
  private Process kubeApiTestProcess() {
    try {
      Field processField = KubeAPIServer.class.getDeclaredField("kubeApiServerProcess");
      processField.setAccessible(true);
      KubeAPIServerProcess apiServerProcess = (KubeAPIServerProcess) processField.get(server);
      Field stopped = KubeAPIServerProcess.class.getDeclaredField("stopped");
      stopped.setAccessible(true);
      stopped.setBoolean(apiServerProcess, true);
      Field process = KubeAPIServerProcess.class.getDeclaredField("apiServerProcess");
      process.setAccessible(true);
      return (Process) process.get(apiServerProcess);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot reach kube-api-test's kube-apiserver process (its internals differ "
              + "from 7.6.1's): "
              + e,
          e);
    }
  }

  /** The command line of a running process, as Linux records it after any {@code exec}. */
  private static List<String> commandLine(long pid) {
    try {
      String raw = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"));
      List<String> command = new ArrayList<>(List.of(raw.split("\0")));
      command.removeIf(String::isEmpty);
      if (command.isEmpty()) {
        throw new IllegalStateException("process " + pid + " has no command line (exited?)");
      }
      return command;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the command line of kube-apiserver (pid " + pid + ")", e);
    }
  }

  private static void stopProcess(Process process) {
    try {
      process.destroy();
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A shared client for the test class; closed with the server. */
  public KubernetesClient client() {
    requireStarted();
    return client;
  }

  /** A new client that the caller closes, e.g. to model a second writer. */
  public KubernetesClient newClient() {
    requireStarted();
    try {
      return new KubernetesClientBuilder()
          .withConfig(Config.fromKubeconfig(Files.readString(kubeconfig)))
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A kubeconfig file for processes started by the test. */
  public Path kubeconfig() {
    requireStarted();
    return kubeconfig;
  }

  /** The provisioned kubectl, pointed at this server. */
  public Kubectl kubectl() {
    return new Kubectl(kubeconfig());
  }

  /** The provisioned helm, pointed at this server. */
  public Helm helm() {
    return new Helm(kubeconfig());
  }

  /** Creates a namespace and returns its name. */
  public String createNamespace(String name) {
    client()
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * Server-side applies the one object {@code yaml} describes, as a user with kubectl would (taking
   * over fields another manager owns); returns it as the API server stored it.
   */
  public io.fabric8.kubernetes.api.model.HasMetadata apply(String yaml) {
    io.fabric8.kubernetes.api.model.HasMetadata object =
        client().getKubernetesSerialization().unmarshal(yaml);
    return client().resource(object).forceConflicts().serverSideApply();
  }

  /** Installs the provisioned Gateway API standard-channel CRDs; see {@link Crds}. */
  public void installGatewayApiCrds() {
    Crds.installGatewayApi(client());
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException(
          "The API server is not running: register RealApiServer as a static "
              + "@RegisterExtension field, or call start().");
    }
  }
}
