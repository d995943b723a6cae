package dev.fairlead.testkit;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real kube-apiserver (with its own etcd) for one test class, started from the binaries
 * {@code scripts/provision.sh} built, through fabric8 kube-api-test. Every listener is on 127.0.0.1.
 *
 * <p>Register it as a static field so it lives for the whole class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RealApiServer apiServer = new RealApiServer();
 * }</pre>
 *
 * <p>Offers a fabric8 client, a kubeconfig file for other processes (kubectl, helm, a Fairlead instance), and
 * the provisioned kubectl and helm pointed at it. The server never touches the user's
 * {@code ~/.kube/config}. Methods may be called from any thread once the class has started.
 */
public final class RealApiServer implements BeforeAllCallback, AfterAllCallback {

  private static final Duration STARTUP_TIMEOUT = Duration.ofMinutes(2);

  private final List<String> extraFlags;
  private volatile KubeAPIServer server;
  private volatile KubernetesClient client;
  private volatile Path kubeconfig;

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

  /** Starts the server; {@link #beforeAll} calls it, tests that manage lifecycles themselves may too. */
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
    KubeAPIServer started = new KubeAPIServer(KubeAPIServerConfigBuilder.anAPIServerConfig()
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
    client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  /**
   * Server-side applies the one object {@code yaml} describes, as a user with kubectl would (taking over fields
   * another manager owns); returns it as the API server stored it.
   */
  public io.fabric8.kubernetes.api.model.HasMetadata apply(String yaml) {
    io.fabric8.kubernetes.api.model.HasMetadata object = client().getKubernetesSerialization().unmarshal(yaml);
    return client().resource(object).forceConflicts().serverSideApply();
  }

  /** Installs the provisioned Gateway API standard-channel CRDs; see {@link Crds}. */
  public void installGatewayApiCrds() {
    Crds.installGatewayApi(client());
  }

  private void requireStarted() {
    if (server == null) {
      throw new IllegalStateException("The API server is not running: register RealApiServer as a static "
          + "@RegisterExtension field, or call start().");
    }
  }
}
