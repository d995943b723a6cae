package dev.fairlead.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS material from files: loaded at start with errors that name the file, rotated without restart
 * once the new files are complete and consistent, and never logged.
 */
class ServerTlsTest {

  private static final Duration RELOAD = Duration.ofMillis(50);
  private static final Duration BOUND = Duration.ofSeconds(10);

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path dir;

  private final TestCa ca = TestCa.create("test-ca");
  private ServerTls tls;

  @AfterEach
  void close() {
    if (tls != null) {
      tls.close();
    }
  }

  private TlsFiles files(TestCertificate certificate, Optional<TestCa> clientCa) {
    certificate.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    clientCa.ifPresent(c -> c.writeCertificate(dir.resolve("ca.crt")));
    return new TlsFiles(
        dir.resolve("tls.crt"),
        dir.resolve("tls.key"),
        clientCa.map(c -> dir.resolve("ca.crt")),
        RELOAD);
  }

  private BigInteger presentedSerial() {
    String alias = tls.keyManager().chooseEngineServerAlias("EC", null, null);
    return tls.keyManager().getCertificateChain(alias)[0].getSerialNumber();
  }

  @Test
  void presentsTheCertificateOfTheFilesAndRequiresNoClientCertificateWithoutACa() {
    TestCertificate server = ca.issue("server");
    tls = ServerTls.start("test", files(server, Optional.empty()));

    assertThat(presentedSerial()).isEqualTo(server.serial());
    assertThat(tls.clientTrust()).isEmpty();
  }

  @Test
  void aRotatedCertificateIsPresentedOnceTheFilesChange() {
    tls = ServerTls.start("test", files(ca.issue("server"), Optional.empty()));
    TestCertificate rotated = ca.issue("server");

    rotated.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));

    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(presentedSerial()).isEqualTo(rotated.serial()));
  }

  @Test
  void anRsaKeyWorksAsWellAsAnEcOne() {
    TestCertificate server = ca.issue("server", "RSA");
    tls = ServerTls.start("test", files(server, Optional.empty()));

    String alias = tls.keyManager().chooseEngineServerAlias("RSA", null, null);
    assertThat(tls.keyManager().getCertificateChain(alias)[0].getSerialNumber())
        .isEqualTo(server.serial());
  }

  @Test
  void aKeyThatDoesNotMatchTheCertificateIsNotTakenAndTheNextConsistentPairIs() throws IOException {
    TestCertificate first = ca.issue("server");
    tls = ServerTls.start("test", files(first, Optional.empty()));
    TestCertificate other = ca.issue("other");
    TestCertificate rotated = ca.issue("server");

    // A half-done rotation: the new certificate next to a key of another certificate.
    Files.writeString(dir.resolve("tls.key"), other.privateKeyPem());
    Files.writeString(dir.resolve("tls.crt"), rotated.certificatePem());
    await()
        .atMost(BOUND)
        .until(
            () ->
                logs.lines().stream()
                    .anyMatch(
                        line ->
                            line.startsWith("WARN")
                                && line.contains(
                                    dir.resolve("tls.key")
                                        + ": the key does not match the certificate")));
    assertThat(presentedSerial()).isEqualTo(first.serial());

    Files.writeString(dir.resolve("tls.key"), rotated.privateKeyPem());
    await()
        .atMost(BOUND)
        .untilAsserted(() -> assertThat(presentedSerial()).isEqualTo(rotated.serial()));
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.startsWith("INFO")
                    && line.contains("Reloaded test TLS files")
                    && line.contains(rotated.serial().toString(16)));
    for (TestCertificate certificate : new TestCertificate[] {first, other, rotated}) {
      logs.assertNoLineContains("a private key", certificate.privateKeyBase64().substring(0, 40));
    }
    logs.assertNoLineContains("PEM", "-----BEGIN");
  }

  @Test
  void clientCertificatesMustChainToTheCaFileAndFollowItsRotation() throws Exception {
    TestCa otherCa = TestCa.create("other-ca");
    tls = ServerTls.start("test", files(ca.issue("server"), Optional.of(ca)));
    TestCertificate fromCa = ca.issue("client");
    TestCertificate fromOtherCa = otherCa.issue("client");
    assertThat(tls.files().clientCertificatesRequired()).isTrue();

    assertThat(accepted(Optional.of(fromCa))).isTrue();
    assertThat(accepted(Optional.of(fromOtherCa))).isFalse();
    assertThat(accepted(Optional.empty())).isFalse();

    otherCa.writeCertificate(dir.resolve("ca.crt"));
    await().atMost(BOUND).until(() -> accepted(Optional.of(fromOtherCa)));
    assertThat(accepted(Optional.of(fromCa))).isFalse();
  }

  /**
   * Whether a TLS server using {@link #tls} (as the JDK engine under Vert.x does) accepts a client
   * presenting {@code identity}: the server writes one byte after its handshake; a refused client
   * fails to read it.
   */
  private boolean accepted(Optional<TestCertificate> identity) throws Exception {
    SSLContext server = SSLContext.getInstance("TLS");
    server.init(
        new KeyManager[] {tls.keyManager()},
        tls.clientTrust().map(trust -> new TrustManager[] {trust}).orElse(null),
        null);
    try (SSLServerSocket listener =
        (SSLServerSocket)
            server
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(tls.clientTrust().isPresent());
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (SSLSocket socket = (SSLSocket) listener.accept()) {
                  socket.getOutputStream().write(1);
                  socket.getOutputStream().flush();
                } catch (IOException e) {
                  // refused: the client sees it
                }
              });
      // Also checks the server certificate chains to the CA: the client trusts only it.
      try (SSLSocket client =
          (SSLSocket)
              ca.clientContext(identity)
                  .getSocketFactory()
                  .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        client.setSoTimeout(5_000);
        return client.getInputStream().read() == 1;
      } catch (SSLException | SocketException e) {
        return false;
      } finally {
        served.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void startFailsNamingTheFileAndTheProblem() throws IOException {
    TlsFiles files = files(ca.issue("server"), Optional.empty());
    Files.writeString(
        files.keyFile(), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    assertThatThrownBy(() -> ServerTls.start("xDS", files))
        .isInstanceOf(UnusableFileException.class)
        .hasMessageContaining("xDS TLS files: " + files.keyFile() + ": the key must be PKCS#8")
        .hasMessageContaining("openssl pkcs8 -topk8");

    Files.writeString(files.keyFile(), "not a key");
    assertThatThrownBy(() -> ServerTls.start("xDS", files))
        .hasMessageContaining(files.keyFile() + ": no PKCS#8 PEM private key");

    Files.delete(files.certFile());
    assertThatThrownBy(() -> ServerTls.start("xDS", files))
        .hasMessage("xDS TLS files: " + files.certFile() + ": no such file");

    Files.writeString(
        files.certFile(), "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
    assertThatThrownBy(() -> ServerTls.start("xDS", files))
        .hasMessageContaining(files.certFile() + ": not a valid PEM certificate");
  }
}
