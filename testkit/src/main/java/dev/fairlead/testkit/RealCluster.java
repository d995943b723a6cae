package dev.fairlead.testkit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real one-node Kubernetes cluster ({@link RealNode}: kubelet, containerd, runc, kube-proxy,
 * CoreDNS) for the suites that run pods. The node comes up once per test run, when the first suite
 * needing it starts, is shared by every suite of the run, and goes down when the run ends. Register
 * it as a static field:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RealCluster cluster = new RealCluster();
 * }</pre>
 *
 * <p>Where the node cannot run (not root, no overlay filesystem, no network namespaces, nothing
 * provisioned) the suite is skipped with that exact reason. When the node fails to come up, every
 * suite using it fails with the reason and the ends of the components' logs. When a test fails, its
 * failure report ({@code target/failure-reports/<class>/<test>/}) gets the kubelet's, containerd's
 * and the other components' logs, the pods' list and {@code kubectl describe} of every pod that is
 * not ready, and the logs of every container the kubelet still keeps (of deleted pods too, until it
 * cleans them up).
 *
 * <p>Images come only from archives ({@link #importImage}); pods name them exactly, with {@code
 * imagePullPolicy: IfNotPresent}. Thread-safe once the suite has started.
 */
public final class RealCluster implements BeforeAllCallback, AfterTestExecutionCallback {

  private static final Logger LOG = LoggerFactory.getLogger(RealCluster.class);
  private static final ExtensionContext.Namespace STORE =
      ExtensionContext.Namespace.create(RealCluster.class);

  private volatile RealNode node;

  @Override
  public void beforeAll(ExtensionContext context) {
    Optional<String> unavailable = unavailableReason();
    assumeTrue(
        unavailable.isEmpty(),
        () -> "The real node cannot run on this machine: " + unavailable.orElseThrow());
    Shared shared =
        context
            .getRoot()
            .getStore(STORE)
            .getOrComputeIfAbsent(Shared.class, key -> Shared.start(), Shared.class);
    node = shared.node();
  }

  /** Why the real node cannot run here, in one sentence; empty when it can. */
  public static Optional<String> unavailableReason() {
    NodeTools tools = NodeTools.get();
    if (tools.unavailable().isPresent()) {
      return tools.unavailable();
    }
    if (!TestHosts.available()) {
      return Optional.of(TestHosts.unavailableReason());
    }
    return Optional.empty();
  }

  /** A client with cluster-admin rights (group system:masters); shared, not to be closed. */
  public KubernetesClient client() {
    return node().client();
  }

  /** A kubeconfig file with cluster-admin rights, for kubectl, helm and other processes. */
  public Path kubeconfig() {
    return node().kubeconfig();
  }

  public Kubectl kubectl() {
    return new Kubectl(kubeconfig());
  }

  public Helm helm() {
    return new Helm(kubeconfig());
  }

  /**
   * Imports an image archive (OCI layout or {@code docker save} format) into the node's containerd.
   */
  public void importImage(Path archive) {
    node().importImage(archive);
  }

  /**
   * Imports one of the provisioned test images: {@code envoy} ({@code
   * fairlead.dev/envoy:<version>}) or {@code backend} ({@code fairlead.dev/backend:busybox}, an
   * HTTP server answering {@code GET /cgi-bin/pod} with its pod's name on port 8080).
   */
  public void importTestImage(String name) {
    importImage(NodeTools.get().image(name));
  }

  /**
   * Gives an imported image a further name ({@code ctr images tag}): the name a user's manifest
   * pulls from a registry, which this node has none of.
   */
  public void tagImage(String source, String target) {
    node().tagImage(source, target);
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
   * Waits until exactly {@code count} pods matching {@code labels} in {@code namespace} are Ready;
   * otherwise fails with every matching pod's phase, conditions, container states and events, never
   * with a bare timeout.
   */
  public List<Pod> awaitReadyPods(
      String namespace, Map<String, String> labels, int count, Duration timeout) {
    try {
      await("%d ready pods %s in %s".formatted(count, labels, namespace))
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                List<Pod> pods = pods(namespace, labels);
                return pods.size() == count && pods.stream().allMatch(RealCluster::isReady);
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "Pods "
              + labels
              + " in "
              + namespace
              + " did not become ready ("
              + count
              + " wanted) within "
              + timeout
              + ":\n"
              + explain(namespace, labels),
          e);
    }
    return pods(namespace, labels);
  }

  /** Each matching pod's phase, conditions, container states and events, for failure messages. */
  public String explain(String namespace, Map<String, String> labels) {
    List<Pod> pods = pods(namespace, labels);
    if (pods.isEmpty()) {
      return "  no pod matches; events in " + namespace + ":\n" + events(namespace, null);
    }
    StringBuilder out = new StringBuilder();
    for (Pod pod : pods) {
      out.append("  pod ")
          .append(pod.getMetadata().getName())
          .append(": phase ")
          .append(pod.getStatus().getPhase())
          .append('\n');
      for (PodCondition c : pod.getStatus().getConditions()) {
        out.append("    ")
            .append(c.getType())
            .append('=')
            .append(c.getStatus())
            .append(c.getMessage() == null ? "" : " (" + c.getMessage() + ")")
            .append('\n');
      }
      pod.getStatus()
          .getContainerStatuses()
          .forEach(
              s ->
                  out.append("    container ")
                      .append(s.getName())
                      .append(": ready=")
                      .append(s.getReady())
                      .append(" restarts=")
                      .append(s.getRestartCount())
                      .append(' ')
                      .append(s.getState())
                      .append('\n'));
      out.append(events(namespace, pod.getMetadata().getName()));
    }
    return out.toString();
  }

  private String events(String namespace, String podName) {
    return client().v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> podName == null || podName.equals(e.getInvolvedObject().getName()))
        .map(RealCluster::event)
        .collect(Collectors.joining());
  }

  private static String event(Event e) {
    return "    event "
        + e.getType()
        + " "
        + e.getReason()
        + " ("
        + e.getInvolvedObject().getKind()
        + " "
        + e.getInvolvedObject().getName()
        + ", x"
        + e.getCount()
        + "): "
        + e.getMessage()
        + "\n";
  }

  private List<Pod> pods(String namespace, Map<String, String> labels) {
    return client().pods().inNamespace(namespace).withLabels(labels).list().getItems().stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static boolean isReady(Pod pod) {
    return pod.getStatus() != null
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isEmpty() || node == null) {
      return;
    }
    Path report = FailureReports.directoryFor(context).resolve("real-node");
    try {
      Files.createDirectories(report);
      for (Path log : node.logs()) {
        Files.copy(log, report.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
      Kubectl kubectl = kubectl();
      Files.writeString(
          report.resolve("pods.txt"),
          kubectl.run("get", "pods", "-A", "-o", "wide").stdout()
              + kubectl.run("get", "events", "-A", "--sort-by=.lastTimestamp").stdout());
      StringBuilder describe = new StringBuilder();
      for (Pod pod : client().pods().inAnyNamespace().list().getItems()) {
        if (!isReady(pod)) {
          describe
              .append(
                  kubectl
                      .run(
                          "describe",
                          "pod",
                          "-n",
                          pod.getMetadata().getNamespace(),
                          pod.getMetadata().getName())
                      .stdout())
              .append('\n');
        }
      }
      Files.writeString(report.resolve("describe-not-ready-pods.txt"), describe);
      node.copyPodLogs(report.resolve("pod-logs"));
      LOG.info("Real node logs and pod descriptions for the failed test: {}", report);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Cannot write the real node's failure report to {}: {}", report, e.toString());
    }
  }

  private RealNode node() {
    RealNode started = node;
    if (started == null) {
      throw new IllegalStateException(
          "The real node is not up: register RealCluster as a static "
              + "@RegisterExtension field");
    }
    return started;
  }

  /**
   * The run's one node, or why it did not come up (so that every suite fails with the reason at
   * once instead of trying again); closed by JUnit when the run ends.
   */
  private record Shared(RealNode started, RuntimeException failure) implements AutoCloseable {

    static Shared start() {
      try {
        return new Shared(RealNode.start(Tools.get(), NodeTools.get()), null);
      } catch (RuntimeException e) {
        return new Shared(null, e);
      }
    }

    RealNode node() {
      if (failure != null) {
        throw new IllegalStateException(failure.getMessage(), failure);
      }
      return started;
    }

    @Override
    public void close() {
      if (started != null) {
        started.close();
      }
    }
  }
}
