package dev.fairlead.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.fairlead.app.StandaloneFairlead;
import dev.fairlead.app.StandaloneOptions;
import dev.fairlead.testkit.AdsMode;
import dev.fairlead.testkit.Backends;
import dev.fairlead.testkit.EnvoyBootstrap;
import dev.fairlead.testkit.EnvoyProcess;
import dev.fairlead.testkit.Envoys;
import dev.fairlead.testkit.HttpBackend;
import dev.fairlead.testkit.LoopbackPorts;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import dev.fairlead.tls.ServerTransport;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * HTTPS listeners end to end: Fairlead (standalone, reading Secrets of type {@code
 * kubernetes.io/tls} from its directory) serving a real Envoy two HTTPS Gateway listeners on one
 * port with a certificate each, over SDS, in both ADS modes. A TLS client sending SNI is shown the
 * certificate of the listener its name matches and reaches the backend; a Secret rotated is served
 * to new connections while a connection opened before goes on working, and the Envoy listener is
 * neither modified nor drained.
 */
class HttpsListenerEnvoyIT {

  private static final Duration CONVERGENCE_BOUND = Duration.ofSeconds(10);
  private static final String FLEET = "default/edge";
  private static final TestCa CA = TestCa.create("https-listener");
  private static final Pattern CONTENT_LENGTH =
      Pattern.compile("(?im)^content-length:\\s*(\\d+)\\s*$");

  @RegisterExtension final Envoys envoys = new Envoys();

  @RegisterExtension final Backends backends = new Backends();

  @TempDir Path config;

  private final int port = LoopbackPorts.free();
  private StandaloneFairlead fairlead;

  @AfterEach
  void stopFairlead() {
    if (fairlead != null) {
      fairlead.close();
    }
  }

  @ParameterizedTest
  @EnumSource(AdsMode.class)
  void eachHostnameIsServedItsCertificateAndARotatedOneReachesNewConnectionsWithoutADrain(
      AdsMode mode) throws Exception {
    HttpBackend app = backends.http("app");
    TestCertificate a = certificate("a.example.com");
    TestCertificate b = certificate("b.example.com");
    write(
        "app.yaml",
        E2eObjects.GATEWAY_CLASS
            + "---\n"
            + gateway()
            + "---\n"
            + route()
            + "---\n"
            + upstream(app));
    write("a.yaml", secret("a-cert", a));
    write("b.yaml", secret("b-cert", b));
    fairlead =
        StandaloneFairlead.start(
            StandaloneOptions.of(config, "127.0.0.1", 0, ServerTransport.plaintext(), "127.0.0.1"));
    EnvoyProcess envoy =
        envoys
            .start(EnvoyBootstrap.ads(fairlead.xdsPort(), mode).withNode("edge-" + mode, FLEET))
            .awaitReady(Duration.ofSeconds(60));
    await("Envoy serves HTTPS")
        .atMost(CONVERGENCE_BOUND)
        .pollInterval(Duration.ofMillis(50))
        .ignoreExceptions()
        .until(() -> get("a.example.com").status() == 200);

    assertThat(served("a.example.com")).isEqualTo(a.serial());
    assertThat(served("b.example.com")).isEqualTo(b.serial());
    assertThat(get("a.example.com").body()).isEqualTo("app\n");
    assertThat(get("b.example.com").body()).isEqualTo("app\n");

    long modifiedBefore = stat(envoy, "listener_manager.listener_modified");
    try (TlsConnection before = TlsConnection.open(port, "a.example.com")) {
      assertThat(before.request("a.example.com").status()).isEqualTo(200);
      TestCertificate rotated = certificate("a.example.com");
      write("a.yaml", secret("a-cert", rotated));
      await("the rotated certificate is served")
          .atMost(CONVERGENCE_BOUND)
          .pollInterval(Duration.ofMillis(50))
          .ignoreExceptions()
          .until(() -> served("a.example.com").equals(rotated.serial()));

      assertThat(before.peerSerial())
          .as("the connection opened before keeps its certificate")
          .isEqualTo(a.serial());
      assertThat(before.request("a.example.com").status()).as("and goes on working").isEqualTo(200);
      assertThat(served("b.example.com")).isEqualTo(b.serial());
      assertThat(stat(envoy, "listener_manager.listener_modified"))
          .as("the listener was not modified")
          .isEqualTo(modifiedBefore);
      assertThat(stat(envoy, "listener_manager.total_listeners_draining")).isZero();
    }
  }

  /**
   * The serial number of the certificate a new connection sending SNI {@code hostname} is shown.
   */
  private BigInteger served(String hostname) {
    try (TlsConnection connection = TlsConnection.open(port, hostname)) {
      return connection.peerSerial();
    }
  }

  private Response get(String hostname) {
    try (TlsConnection connection = TlsConnection.open(port, hostname)) {
      return connection.request(hostname);
    }
  }

  private static long stat(EnvoyProcess envoy, String name) {
    String stats = envoy.admin("/stats?filter=listener_manager").body();
    Matcher value = Pattern.compile("(?m)^" + Pattern.quote(name) + ": (\\d+)$").matcher(stats);
    assertThat(value.find()).as("Envoy has stat %s: %s", name, stats).isTrue();
    return Long.parseLong(value.group(1));
  }

  private static TestCertificate certificate(String hostname) {
    return CA.issue("CN=" + hostname, "EC", List.of(), List.of(hostname));
  }

  private String gateway() {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: edge}
        spec:
          gatewayClassName: fairlead
          listeners:
          - {name: a, port: %1$d, protocol: HTTPS, hostname: a.example.com, tls: {certificateRefs: [{name: a-cert}]}}
          - {name: b, port: %1$d, protocol: HTTPS, hostname: b.example.com, tls: {certificateRefs: [{name: b-cert}]}}
        """
        .formatted(port);
  }

  private static String route() {
    return """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: web}
        spec:
          parentRefs: [{name: edge}]
          rules:
          - backendRefs: [{group: fairlead.dev, kind: Upstream, name: app}]
        """;
  }

  private static String upstream(HttpBackend backend) {
    return """
        apiVersion: fairlead.dev/v1alpha1
        kind: Upstream
        metadata: {name: app}
        spec:
          static:
            hosts: [{address: 127.0.0.1, port: %d}]
        """
        .formatted(backend.port());
  }

  private static String secret(String name, TestCertificate certificate) {
    return """
        apiVersion: v1
        kind: Secret
        type: kubernetes.io/tls
        metadata: {name: %s}
        stringData:
          tls.crt: |
        %s  tls.key: |
        %s"""
        .formatted(
            name,
            indented(certificate.certificatePem() + CA.certificatePem()),
            indented(certificate.privateKeyPem()));
  }

  private static String indented(String pem) {
    StringBuilder out = new StringBuilder();
    pem.lines().forEach(line -> out.append("    ").append(line).append('\n'));
    return out.toString();
  }

  /**
   * Writes under a hidden name and renames over {@code file}, so Fairlead never reads it
   * half-written.
   */
  private void write(String file, String content) throws IOException {
    Path temp = config.resolve("." + file + ".tmp");
    Files.writeString(temp, content);
    Files.move(
        temp,
        config.resolve(file),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  private record Response(int status, String body) {}

  /**
   * One HTTP/1.1 connection over TLS to 127.0.0.1, sending {@code hostname} as SNI and trusting
   * only the test's CA: requests on it reuse the connection, so one opened before a rotation shows
   * what happens to it.
   */
  private static final class TlsConnection implements AutoCloseable {

    private final SSLSocket socket;
    private final InputStream in;
    private final OutputStream out;

    private TlsConnection(SSLSocket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    static TlsConnection open(int port, String hostname) {
      try {
        SSLSocket socket =
            (SSLSocket) CA.clientContext(Optional.empty()).getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        socket.setSoTimeout(5_000);
        SSLParameters parameters = socket.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(hostname)));
        parameters.setApplicationProtocols(new String[] {"http/1.1"});
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return new TlsConnection(socket);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "TLS connection to 127.0.0.1:" + port + " as " + hostname + " failed", e);
      }
    }

    BigInteger peerSerial() {
      try {
        return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * {@code GET /} with {@code Host: hostname}, reading the response through its Content-Length.
     */
    Response request(String hostname) {
      try {
        out.write(
            ("GET / HTTP/1.1\r\nHost: " + hostname + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
          int next = in.read();
          if (next < 0) {
            throw new IOException(
                "connection closed after " + head.toString(StandardCharsets.US_ASCII));
          }
          head.write(next);
        }
        String headers = head.toString(StandardCharsets.US_ASCII);
        Matcher length = CONTENT_LENGTH.matcher(headers);
        byte[] body = in.readNBytes(length.find() ? Integer.parseInt(length.group(1)) : 0);
        int status = Integer.parseInt(headers.substring(9, 12));
        return new Response(status, new String(body, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
