package dev.fairlead.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Backends on addresses of their own, outside the loopback range, for tests whose traffic must name
 * real endpoint addresses: each {@link #http(String) http("blue")} starts an {@link NetnsBackend}
 * on a fresh {@code 10.213.<k>.<n>}, port 8080, inside a network namespace this extension created.
 *
 * <p><b>Why it exists.</b> The Kubernetes API server refuses EndpointSlice addresses in the
 * loopback range ({@code Invalid value: "127.0.0.1": may not be in the loopback range}), so the
 * {@link Backends} on 127.0.0.1 cannot stand behind a Service. And test traffic here may go only to
 * 127.0.0.0/8 or to the project's own test hosts in network namespaces the test run itself created
 * — never to any other address. This extension creates such hosts: one namespace per scope, joined
 * to the root namespace (where Envoy and the test run) by a veth pair on a /24 of {@code
 * 10.213.0.0/16} that nothing else on the machine uses. The namespace has no default route, so
 * nothing in it reaches anywhere but the veth.
 *
 * <pre>{@code
 * @RegisterExtension
 * final TestHosts hosts = new TestHosts();
 *
 * @Test
 * void routesToEndpointSliceAddresses() {
 *   NetnsBackend blue = hosts.http("blue");   // e.g. 10.213.7.2:8080
 *   NetnsBackend green = hosts.http("green"); // e.g. 10.213.7.3:8080
 *   // list blue.address() and green.address() with port 8080 in an EndpointSlice, send traffic through
 *   // Envoy, and tell the backends apart by the x-backend header or the body ("blue\n")
 *   blue.respondWith(503);                    // make one fail
 *   assertThat(green.requests()).isPositive();
 * }
 * }</pre>
 *
 * <p><b>Contract.</b>
 *
 * <ul>
 *   <li>The namespace ({@code fl-<pid>-<n>}) is created on the first {@code http(…)} of a scope;
 *       everything (processes, namespace, veth pair) is removed at the end of the scope it was
 *       created in — after the test method, or after the class when started in {@code @BeforeAll} —
 *       and at JVM exit. Namespaces left behind by JVMs that are no longer alive are deleted before
 *       this JVM creates its first one.
 *   <li>Every backend gets its own address; addresses are not reused within a namespace (253 per
 *       scope).
 *   <li>Creating namespaces takes root (or CAP_SYS_ADMIN and CAP_NET_ADMIN), iproute2's {@code ip}
 *       and python3. Where they are missing, {@code http(…)} fails the test with a message naming
 *       what is missing. A test that should be skipped instead asks first: {@code
 *       assumeTrue(TestHosts.available(), TestHosts::unavailableReason)}.
 *   <li>When a test fails, the log of each backend still running and the namespace's addresses,
 *       routes and processes are written to {@code target/failure-reports/<class>/<method>/},
 *       published as report entries and printed into the failure report.
 * </ul>
 *
 * <p>Thread-safe: backends may be started from any thread.
 */
public final class TestHosts extends TestScopedResources<AutoCloseable>
    implements AfterTestExecutionCallback {

  private static final int LOG_TAIL_LINES = 40;

  /** Guarded by {@code this}; replaced once the scope it was created in has closed it. */
  private TestHostNamespace namespace;

  /**
   * Whether this machine lets tests create network namespaces and run namespace backends; probed
   * once.
   */
  public static boolean available() {
    return Availability.MISSING.isEmpty();
  }

  /** Why {@link #available()} is false, naming the missing capability; empty when it is true. */
  public static String unavailableReason() {
    return Availability.MISSING.orElse("");
  }

  /**
   * Starts an HTTP backend answering every request with {@code name} (body and {@code x-backend}
   * header) on a fresh address of this scope's namespace, port {@value NetnsBackend#PORT}, once it
   * answers from the root namespace. {@code name} is letters, digits, {@code .}, {@code _} and
   * {@code -}.
   *
   * @throws IllegalStateException naming the missing capability when namespaces cannot be created
   *     here
   */
  public NetnsBackend http(String name) {
    NetnsBackend backend = NetnsBackend.start(namespace(), name);
    track(backend);
    return backend;
  }

  private synchronized TestHostNamespace namespace() {
    if (!available()) {
      throw new IllegalStateException(unavailableReason());
    }
    if (namespace == null || namespace.isClosed()) {
      namespace = TestHostNamespace.create();
      track(namespace);
    }
    return namespace;
  }

  @Override
  public void afterTestExecution(ExtensionContext context) {
    if (context.getExecutionException().isEmpty()) {
      return;
    }
    Path dir = FailureReports.directoryFor(context);
    for (AutoCloseable resource : open()) {
      if (resource instanceof NetnsBackend backend) {
        String log = backend.log();
        attach(
            context, dir, "backend-" + backend.name() + ".log", backend.toString(), log, tail(log));
      } else if (resource instanceof TestHostNamespace ns && !ns.isClosed()) {
        String description = ns.describe();
        attach(context, dir, ns.name() + ".txt", ns.toString(), description, description);
      }
    }
  }

  private static void attach(
      ExtensionContext context,
      Path dir,
      String fileName,
      String what,
      String text,
      String printed) {
    Path file = dir.resolve(fileName);
    try {
      Files.createDirectories(dir);
      Files.writeString(file, text);
      context.publishReportEntry(fileName, file.toAbsolutePath().toString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.print(
        "==== "
            + what
            + " (all of it in "
            + file
            + ") ====\n"
            + printed
            + (printed.endsWith("\n") ? "" : "\n"));
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    int from = Math.max(0, lines.length - LOG_TAIL_LINES);
    StringBuilder out = new StringBuilder();
    if (from > 0) {
      out.append("(last ")
          .append(LOG_TAIL_LINES)
          .append(" of ")
          .append(lines.length)
          .append(" lines)\n");
    }
    for (int i = from; i < lines.length; i++) {
      out.append(lines[i]).append('\n');
    }
    return out.toString();
  }

  private static final class Availability {
    static final Optional<String> MISSING = TestHostNamespace.probe().or(NetnsBackend::probe);
  }
}
