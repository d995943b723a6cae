package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A one-node Kubernetes cluster run by this JVM: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler, containerd with runc, kubelet, kube-proxy (iptables mode) and CoreDNS, all from
 * what {@code scripts/provision.sh} built or installed, with every image imported from an archive
 * (no registry is ever asked).
 *
 * <p>Everything runs inside a network namespace of its own ({@link TestHostNamespace}), entered
 * with {@code nsenter --net} only, so the kubelet's volume mounts stay visible to runc:
 * kube-proxy's iptables rules and IP forwarding stay out of the root namespace. The namespace's
 * veth address is the node's; two more /24s, routed to it from the root namespace, hold the pods'
 * addresses and the Services' cluster IPs, so this JVM (tests, kubectl, helm) reaches the API
 * server, pods and cluster IPs directly. State (certificates, etcd's data, containerd's root, the
 * kubelet's directory, logs) lives in one directory that {@link #close()} deletes.
 *
 * <p>What this VM kind needs and the defaults miss: containerd's CRI {@code restrict_oom_score_adj}
 * (no CAP_SYS_RESOURCE), a default route in host-local IPAM (or pods have none), the cgroupfs
 * driver (cgroup v1), and kube-proxy's masquerade-all (no br_netfilter: a pod reaching a Service
 * backed by a pod on the same bridge must see the reply come back through the node).
 *
 * <p>Thread-safe once started; {@link #close()} is idempotent and stops the API server before etcd
 * (with etcd gone first the API server ignores SIGTERM).
 */
final class RealNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RealNode.class);

  static final String NODE_NAME = "fairlead-node";
  private static final String PAUSE_IMAGE = "fairlead.dev/pause:catatonit";
  private static final Duration UP_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

  private final Tools tools;
  private final NodeTools node;
  private final Path dir;
  private final Deque<AutoCloseable> started = new ArrayDeque<>();
  private final List<Path> logs = new ArrayList<>();
  private TestHostNamespace namespace;
  private String nodeAddress;
  private String podPrefix;
  private String servicePrefix;
  private Path kubeconfig;
  private KubernetesClient client;
  private boolean closed;

  private RealNode(Tools tools, NodeTools node, Path dir) {
    this.tools = tools;
    this.node = node;
    this.dir = dir;
  }

  /** Brings the node up, and back down again if any part fails to start. */
  static RealNode start(Tools tools, NodeTools node) {
    long begin = System.nanoTime();
    Path dir;
    try {
      dir = Files.createTempDirectory("fairlead-node-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RealNode realNode = new RealNode(tools, node, dir);
    try {
      realNode.bringUp();
    } catch (RuntimeException | Error e) {
      String logTails = realNode.logTails();
      realNode.close();
      throw new IllegalStateException(
          "The real node did not come up: " + e.getMessage() + "\n" + logTails, e);
    }
    LOG.info(
        "Real node up in {} s: API server https://{}:6443, pods {}0/24, services {}0/24",
        Duration.ofNanos(System.nanoTime() - begin).toSeconds(),
        realNode.nodeAddress,
        realNode.podPrefix,
        realNode.servicePrefix);
    return realNode;
  }

  private void bringUp() {
    namespace = TestHostNamespace.create();
    started.push(namespace);
    nodeAddress = namespace.nextAddress();
    podPrefix = namespace.routeSubnet(nodeAddress);
    servicePrefix = namespace.routeSubnet(nodeAddress);
    inNamespace("sysctl", "-w", "net.ipv4.ip_forward=1").requireSuccess();

    Pki pki = Pki.write(dir.resolve("pki"), nodeAddress, servicePrefix + "1");
    kubeconfig =
        pki.kubeconfig(dir.resolve("admin.kubeconfig"), "https://" + nodeAddress + ":6443");

    Path bin = tools.kubernetesBinDir();
    start(
        "etcd",
        bin.resolve("etcd.bin").toString(),
        "--name=node",
        "--data-dir=" + dir.resolve("etcd"),
        "--listen-client-urls=http://127.0.0.1:2379",
        "--advertise-client-urls=http://127.0.0.1:2379",
        "--listen-peer-urls=http://127.0.0.1:2380",
        "--initial-advertise-peer-urls=http://127.0.0.1:2380",
        "--initial-cluster=node=http://127.0.0.1:2380",
        "--log-level=warn");
    start(
        "kube-apiserver",
        bin.resolve("kube-apiserver.bin").toString(),
        "--etcd-servers=http://127.0.0.1:2379",
        "--bind-address=" + nodeAddress,
        "--advertise-address=" + nodeAddress,
        "--secure-port=6443",
        "--service-cluster-ip-range=" + servicePrefix + "0/24",
        "--tls-cert-file=" + pki.dir().resolve("apiserver.crt"),
        "--tls-private-key-file=" + pki.dir().resolve("apiserver.key"),
        "--client-ca-file=" + pki.dir().resolve("ca.crt"),
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-account-key-file=" + pki.dir().resolve("sa.crt"),
        "--service-account-signing-key-file=" + pki.dir().resolve("sa.key"),
        "--kubelet-client-certificate=" + pki.dir().resolve("admin.crt"),
        "--kubelet-client-key=" + pki.dir().resolve("admin.key"),
        "--kubelet-preferred-address-types=InternalIP",
        "--authorization-mode=RBAC",
        "--allow-privileged=true",
        "--profiling=false");
    client = new KubernetesClientBuilder().withConfig(clientConfig()).build();
    started.push(client);
    await("the real node's API server ready")
        .atMost(UP_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              requireRunning();
              return "ok".equals(client.raw("https://" + nodeAddress + ":6443/readyz"));
            });
    start(
        "kube-controller-manager",
        bin.resolve("kube-controller-manager").toString(),
        "--kubeconfig=" + kubeconfig,
        "--service-account-private-key-file=" + pki.dir().resolve("sa.key"),
        "--root-ca-file=" + pki.dir().resolve("ca.crt"),
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        "--cluster-cidr=" + podPrefix + "0/24",
        "--profiling=false");
    start(
        "kube-scheduler",
        bin.resolve("kube-scheduler").toString(),
        "--kubeconfig=" + kubeconfig,
        "--leader-elect=false",
        "--bind-address=127.0.0.1",
        "--profiling=false");

    Path containerdSocket = startContainerd();
    importImage(node.image("pause"));
    importImage(node.image("coredns"));
    startKubelet(containerdSocket);
    startKubeProxy();

    await("node " + NODE_NAME + " Ready")
        .atMost(UP_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              requireRunning();
              return client.nodes().withName(NODE_NAME).get().getStatus().getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            });
    client
        .resourceList(
            resource("real-node-coredns.yaml")
                .replace("CLUSTER_DNS_IP", servicePrefix + "10")
                .replace("COREDNS_IMAGE", "fairlead.dev/coredns:" + node.corednsVersion()))
        .create();
    await("CoreDNS ready")
        .atMost(UP_TIMEOUT)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              requireRunning();
              Integer ready =
                  client
                      .apps()
                      .deployments()
                      .inNamespace("kube-system")
                      .withName("coredns")
                      .get()
                      .getStatus()
                      .getReadyReplicas();
              return ready != null && ready == 1;
            });
  }

  private static String resource(String name) {
    try (var in = RealNode.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("testkit resource " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path startContainerd() {
    Path root = dir.resolve("containerd");
    Path socket = root.resolve("containerd.sock");
    Path cniConf = dir.resolve("cni");
    write(
        cniConf.resolve("10-fairlead.conflist"),
        """
        {
          "cniVersion": "0.4.0",
          "name": "fairlead-node",
          "plugins": [
            {
              "type": "bridge",
              "bridge": "cni0",
              "isGateway": true,
              "ipMasq": false,
              "hairpinMode": true,
              "ipam": {
                "type": "host-local",
                "dataDir": "%s",
                "ranges": [[{"subnet": "%s0/24"}]],
                "routes": [{"dst": "0.0.0.0/0"}]
              }
            },
            {"type": "portmap", "capabilities": {"portMappings": true}}
          ]
        }
        """
            .formatted(dir.resolve("cni-ipam"), podPrefix));
    Path config =
        write(
            root.resolve("config.toml"),
            """
        version = 2
        root = "%1$s/root"
        state = "%1$s/state"
        [grpc]
          address = "%2$s"
        [plugins."io.containerd.internal.v1.opt"]
          path = "%1$s/opt"
        [plugins."io.containerd.grpc.v1.cri"]
          sandbox_image = "%3$s"
          restrict_oom_score_adj = true
          disable_apparmor = true
          stream_server_address = "127.0.0.1"
          [plugins."io.containerd.grpc.v1.cri".containerd]
            snapshotter = "overlayfs"
            default_runtime_name = "runc"
            [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
              runtime_type = "io.containerd.runc.v2"
              [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                SystemdCgroup = false
          [plugins."io.containerd.grpc.v1.cri".cni]
            bin_dir = "%4$s"
            conf_dir = "%5$s"
        """
                .formatted(root, socket, PAUSE_IMAGE, node.cniBin(), cniConf));
    start("containerd", "containerd", "--config=" + config);
    await("containerd serving on " + socket)
        .atMost(UP_TIMEOUT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              requireRunning();
              return ctr("version").exitCode() == 0;
            });
    return socket;
  }

  private void startKubelet(Path containerdSocket) {
    Path kubeletDir = dir.resolve("kubelet");
    Path config =
        write(
            dir.resolve("kubelet.yaml"),
            """
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        cgroupDriver: cgroupfs
        containerRuntimeEndpoint: unix://%s
        failSwapOn: false
        address: %s
        readOnlyPort: 0
        healthzPort: 0
        authentication:
          anonymous:
            enabled: true
          webhook:
            enabled: false
        authorization:
          mode: AlwaysAllow
        clusterDomain: cluster.local
        clusterDNS: ["%s10"]
        resolvConf: %s
        podLogsDir: %s
        # Images come only from archives: the kubelet must never collect them, nor evict pods over a busy disk.
        imageGCHighThresholdPercent: 100
        imageGCLowThresholdPercent: 99
        evictionHard:
          memory.available: "1Mi"
          nodefs.available: "1%%"
          nodefs.inodesFree: "1%%"
          imagefs.available: "1%%"
        serializeImagePulls: false
        """
                .formatted(
                    containerdSocket,
                    nodeAddress,
                    servicePrefix,
                    write(dir.resolve("resolv.conf"), ""),
                    dir.resolve("pod-logs")));
    start(
        "kubelet",
        tools.kubernetesBinDir().resolve("kubelet").toString(),
        "--config=" + config,
        "--kubeconfig=" + kubeconfig,
        "--root-dir=" + kubeletDir,
        "--cert-dir=" + kubeletDir.resolve("pki"),
        "--hostname-override=" + NODE_NAME,
        "--node-ip=" + nodeAddress);
  }

  private void startKubeProxy() {
    Path config =
        write(
            dir.resolve("kube-proxy.yaml"),
            """
        apiVersion: kubeproxy.config.k8s.io/v1alpha1
        kind: KubeProxyConfiguration
        clientConnection:
          kubeconfig: %s
        mode: iptables
        clusterCIDR: %s0/24
        hostnameOverride: %s
        metricsBindAddress: 127.0.0.1:10249
        healthzBindAddress: 127.0.0.1:10256
        iptables:
          masqueradeAll: true
        conntrack:
          maxPerCore: 0
          min: 0
          tcpEstablishedTimeout: 0s
          tcpCloseWaitTimeout: 0s
        """
                .formatted(kubeconfig, podPrefix, NODE_NAME));
    start(
        "kube-proxy",
        tools.kubernetesBinDir().resolve("kube-proxy").toString(),
        "--config=" + config);
  }

  /**
   * Imports an image archive into the node's containerd, where pods with {@code IfNotPresent} find
   * it.
   */
  void importImage(Path archive) {
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "Image archive "
              + archive
              + " does not exist (run scripts/provision.sh, "
              + "or build the image module)");
    }
    CommandResult result = ctr("images", "import", archive.toString());
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "ctr images import " + archive + " failed: " + result.stderr().strip());
    }
  }

  /**
   * Gives the imported image {@code source} the further name {@code target}, as a registry's image
   * of that name would be: pods naming either run it without pulling.
   */
  void tagImage(String source, String target) {
    CommandResult result = ctr("images", "tag", "--force", source, target);
    if (result.exitCode() != 0) {
      throw new IllegalStateException(
          "ctr images tag " + source + " " + target + " failed: " + result.stderr().strip());
    }
  }

  private CommandResult ctr(String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "ctr",
                "--address",
                dir.resolve("containerd/containerd.sock").toString(),
                "--namespace",
                "k8s.io"));
    command.addAll(List.of(args));
    return inNamespace(command.toArray(String[]::new));
  }

  /** The node's addresses as seen from this JVM. */
  String nodeAddress() {
    return nodeAddress;
  }

  Path kubeconfig() {
    return kubeconfig;
  }

  KubernetesClient client() {
    return client;
  }

  Config clientConfig() {
    try {
      return Config.fromKubeconfig(Files.readString(kubeconfig));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The node's own logs (one file per component), for failure reports. */
  List<Path> logs() {
    return List.copyOf(logs);
  }

  /**
   * Copies the kubelet's container logs ({@code <namespace>_<pod>_<uid>/<container>/<n>.log}) into
   * {@code target}.
   */
  void copyPodLogs(Path target) throws IOException {
    Path source = dir.resolve("pod-logs");
    if (!Files.isDirectory(source)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path path : paths.filter(Files::isRegularFile).toList()) {
        Path copy = target.resolve(source.relativize(path).toString());
        Files.createDirectories(copy.getParent());
        Files.copy(path, copy, StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** Fails with the component and its log's end when a node process has exited. */
  void requireRunning() {
    for (AutoCloseable part : started) {
      if (part instanceof NodeProcess p && !p.process().isAlive()) {
        throw new IllegalStateException(
            p.name()
                + " exited with "
                + p.process().exitValue()
                + "; its log ends:\n"
                + tail(p.log(), 20));
      }
    }
  }

  private void start(String name, String... command) {
    Path log = dir.resolve("logs").resolve(name + ".log");
    List<String> line =
        new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + namespace.name()));
    line.addAll(List.of(command));
    try {
      Files.createDirectories(log.getParent());
      Process process =
          new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      logs.add(log);
      started.push(new NodeProcess(name, process, log));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + String.join(" ", line), e);
    }
  }

  private CommandResult inNamespace(String... command) {
    List<String> line =
        new ArrayList<>(List.of("nsenter", "--net=/var/run/netns/" + namespace.name()));
    line.addAll(List.of(command));
    return CommandResult.run(line, Duration.ofMinutes(2));
  }

  private String logTails() {
    StringBuilder out = new StringBuilder();
    for (Path log : logs) {
      out.append("--- ").append(log.getFileName()).append(" (last lines)\n").append(tail(log, 15));
    }
    return out.toString();
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())) + "\n";
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + log + ": " + e.getMessage() + ")\n";
    }
  }

  /**
   * Stops the node: pods first (deleted from the API so the kubelet stops them and releases their
   * network namespaces and mounts), then every process in reverse order of start, then the
   * namespace and the directory.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long begin = System.nanoTime();
    stopPods();
    while (!started.isEmpty()) {
      try {
        started.pop().close();
      } catch (Exception e) {
        LOG.warn("Stopping part of the real node failed: {}", e.toString());
      }
    }
    unmountUnder(dir);
    removeContainerLogLinks(dir);
    deleteRecursively(dir);
    LOG.info("Real node down in {} s", Duration.ofNanos(System.nanoTime() - begin).toSeconds());
  }

  private void stopPods() {
    if (client == null || namespace == null) {
      return;
    }
    try {
      for (AutoCloseable part : started) {
        if (part instanceof NodeProcess p && p.name().equals("kube-controller-manager")) {
          p.close();
        }
      }
      client.pods().inAnyNamespace().withGracePeriod(0).delete();
      await("the kubelet stopped every pod")
          .atMost(Duration.ofMinutes(1))
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(() -> ctr("tasks", "list", "--quiet").stdout().isBlank());
    } catch (RuntimeException e) {
      LOG.warn("Pods of the real node did not all stop: {}", e.toString());
    }
  }

  /** Unmounts what the kubelet and containerd left mounted under {@code root}, deepest first. */
  private static void unmountUnder(Path root) {
    try {
      List<String> mounts = new ArrayList<>();
      for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
        String mountPoint = line.split(" ")[4].replace("\\040", " ");
        if (mountPoint.startsWith(root.toString() + "/")) {
          mounts.add(mountPoint);
        }
      }
      mounts.sort((a, b) -> b.length() - a.length());
      for (String mount : mounts) {
        CommandResult.run(List.of("umount", "-l", mount), Duration.ofSeconds(30));
      }
    } catch (IOException e) {
      LOG.warn("Cannot read mounts to clean up after the real node: {}", e.toString());
    }
  }

  /**
   * The kubelet links every container's log from {@code /var/log/containers}, a path it does not
   * let us choose.
   */
  private static void removeContainerLogLinks(Path root) {
    Path links = Path.of("/var/log/containers");
    if (!Files.isDirectory(links)) {
      return;
    }
    try (Stream<Path> paths = Files.list(links)) {
      for (Path link : paths.filter(Files::isSymbolicLink).toList()) {
        if (Files.readSymbolicLink(link).startsWith(root)) {
          Files.deleteIfExists(link);
        }
      }
    } catch (IOException e) {
      LOG.warn("Cannot remove the real node's log links from {}: {}", links, e.toString());
    }
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted((a, b) -> b.getNameCount() - a.getNameCount())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  LOG.debug("cannot delete {}: {}", path, e.toString());
                }
              });
    } catch (IOException e) {
      LOG.warn("Cannot delete the real node's directory {}: {}", root, e.toString());
    }
  }

  private static Path write(Path file, String content) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, content);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * One process of the node; closing sends SIGTERM, then SIGKILL after 30 s, to it and its
   * children.
   */
  private record NodeProcess(String name, Process process, Path log) implements AutoCloseable {

    @Override
    public void close() {
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      try {
        if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("{} ignored SIGTERM for {}; killing it", name, STOP_TIMEOUT);
          process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * The node's certificates and keys: one CA, the API server's serving certificate, an admin
   * identity.
   */
  private record Pki(Path dir, TestCa ca, TestCertificate admin) {

    static Pki write(Path dir, String nodeAddress, String apiServiceAddress) {
      TestCa ca = TestCa.create("fairlead-real-node");
      ca.writeCertificate(dir.resolve("ca.crt"));
      TestCertificate apiServer =
          ca.issue(
              "CN=kube-apiserver",
              "EC",
              List.of(nodeAddress, apiServiceAddress, "127.0.0.1"),
              List.of(
                  "kubernetes",
                  "kubernetes.default",
                  "kubernetes.default.svc",
                  "kubernetes.default.svc.cluster.local",
                  "localhost"));
      apiServer.write(dir.resolve("apiserver.crt"), dir.resolve("apiserver.key"));
      // system:masters: the controller manager, the scheduler, the kubelet, kube-proxy and the
      // tests share it.
      // RSA: fabric8 reads a kubeconfig's PKCS#8 client key as RSA unless told otherwise.
      TestCertificate admin =
          ca.issue("CN=fairlead-test-admin,O=system:masters", "RSA", List.of(), List.of());
      admin.write(dir.resolve("admin.crt"), dir.resolve("admin.key"));
      TestCertificate serviceAccounts = ca.issue("CN=service-accounts", "EC", List.of(), List.of());
      serviceAccounts.write(dir.resolve("sa.crt"), dir.resolve("sa.key"));
      return new Pki(dir, ca, admin);
    }

    Path kubeconfig(Path file, String server) {
      Base64.Encoder base64 = Base64.getEncoder();
      return RealNode.write(
          file,
          """
          apiVersion: v1
          kind: Config
          clusters:
          - name: real-node
            cluster:
              server: %s
              certificate-authority-data: %s
          users:
          - name: admin
            user:
              client-certificate-data: %s
              client-key-data: %s
          contexts:
          - name: real-node
            context:
              cluster: real-node
              user: admin
          current-context: real-node
          """
              .formatted(
                  server,
                  base64.encodeToString(ca.certificatePem().getBytes(StandardCharsets.UTF_8)),
                  base64.encodeToString(admin.certificatePem().getBytes(StandardCharsets.UTF_8)),
                  base64.encodeToString(admin.privateKeyPem().getBytes(StandardCharsets.UTF_8))));
    }
  }
}
