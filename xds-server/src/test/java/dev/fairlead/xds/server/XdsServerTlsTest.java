package dev.fairlead.xds.server;

import static dev.fairlead.xds.server.AdsTestClient.node;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.fairlead.testkit.CapturedLogs;
import dev.fairlead.testkit.TestCa;
import dev.fairlead.testkit.TestCertificate;
import dev.fairlead.tls.ServerTransport;
import dev.fairlead.tls.TlsFiles;
import dev.fairlead.tls.UnusableFileException;
import dev.fairlead.xds.cache.ResourceType;
import dev.fairlead.xds.cache.XdsCache;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The xDS server over TLS, with certificates of a CA the test makes: ADS over mutual TLS, clients
 * without a certificate of that CA refused, certificate rotation seen by new connections without a
 * restart, and no key material in any log line.
 */
class XdsServerTlsTest {

  private static final String FLEET = "default/edge";
  private static final Duration BOUND = Duration.ofSeconds(10);

  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  @TempDir Path dir;

  private final TestCa ca = TestCa.create("xds-test-ca");
  private final List<TestCertificate> issued = new ArrayList<>();
  private StreamRegistry streams;
  private XdsCache cache;
  private XdsServer server;

  @BeforeEach
  void cache() {
    streams =
        new StreamRegistry(
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), Clock.systemUTC());
    cache = new XdsCache();
    cache.setFleet(
        FLEET, Map.of(ResourceType.CLUSTER, List.of(Cluster.newBuilder().setName("a").build())));
  }

  @AfterEach
  void stopAndCheckLogs() {
    if (server != null) {
      server.close();
    }
    for (TestCertificate certificate : issued) {
      logs.assertNoLineContains("a private key", certificate.privateKeyBase64().substring(0, 40));
      logs.assertNoLineContains(
          "a certificate", certificate.certificatePem().lines().skip(1).findFirst().orElseThrow());
    }
    logs.assertNoLineContains("PEM", "-----BEGIN");
  }

  private TestCertificate issue(TestCa by, String name) {
    TestCertificate certificate = by.issue(name);
    issued.add(certificate);
    return certificate;
  }

  /**
   * Serves xDS with a certificate of {@link #ca}; clients need one of {@code clientCa} when given.
   */
  private TestCertificate startServer(Optional<TestCa> clientCa) {
    TestCertificate certificate = issue(ca, "xds");
    certificate.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    clientCa.ifPresent(c -> c.writeCertificate(dir.resolve("ca.crt")));
    TlsFiles files =
        new TlsFiles(
            dir.resolve("tls.crt"),
            dir.resolve("tls.key"),
            clientCa.map(c -> dir.resolve("ca.crt")),
            Duration.ofMillis(50));
    server = XdsServer.start("127.0.0.1", 0, ServerTransport.tls(files), cache, streams);
    return certificate;
  }

  /** An ADS client trusting {@link #ca}, presenting {@code identity} when given. */
  private AdsTestClient client(Optional<TestCertificate> identity) {
    TlsChannelCredentials.Builder credentials =
        TlsChannelCredentials.newBuilder().trustManager(ca.trustManager());
    identity.ifPresent(id -> credentials.keyManager(id.keyManager()));
    ChannelCredentials built = credentials.build();
    return new AdsTestClient(
        Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), built).build());
  }

  private static List<String> clustersOnce(AdsTestClient client) {
    client.send(
        DiscoveryRequest.newBuilder()
            .setNode(node("n1", FLEET))
            .setTypeUrl(ResourceType.CLUSTER.typeUrl())
            .build());
    DiscoveryResponse response = client.next();
    return XdsTestResources.names(response);
  }

  @Test
  void anAdsClientWithACertificateOfTheCaGetsItsConfigurationOverMutualTls() throws Exception {
    startServer(Optional.of(ca));

    try (AdsTestClient envoy = client(Optional.of(issue(ca, "envoy")))) {
      assertThat(clustersOnce(envoy)).containsExactly("a");
    }
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.contains("xDS server listening on 127.0.0.1:" + server.port())
                    && line.contains(
                        "client certificates required (CA " + dir.resolve("ca.crt") + ")"));
  }

  @Test
  void clientsWithoutACertificateOfTheCaAreRefusedWhenACaIsGiven() throws Exception {
    startServer(Optional.of(ca));
    TestCa otherCa = TestCa.create("other-ca");

    for (Optional<TestCertificate> identity :
        List.of(Optional.<TestCertificate>empty(), Optional.of(issue(otherCa, "stranger")))) {
      try (AdsTestClient stranger = client(identity)) {
        assertThatThrownBy(() -> clustersOnce(stranger))
            .hasCauseInstanceOf(StatusRuntimeException.class)
            .cause()
            .satisfies(
                e ->
                    assertThat(Status.fromThrowable(e).getCode())
                        .isEqualTo(Status.Code.UNAVAILABLE));
      }
    }
    assertThat(streams.proxies()).isEmpty();
  }

  @Test
  void withoutACaClientsNeedNoCertificate() throws Exception {
    startServer(Optional.empty());

    try (AdsTestClient envoy = client(Optional.empty())) {
      assertThat(clustersOnce(envoy)).containsExactly("a");
    }
  }

  @Test
  void aRotatedCertificateIsPresentedToNewConnectionsWithoutARestart() throws Exception {
    TestCertificate first = startServer(Optional.of(ca));
    TestCertificate client = issue(ca, "envoy");
    assertThat(ca.serverCertificateAt(server.port(), Optional.of(client)).getSerialNumber())
        .isEqualTo(first.serial());
    TestCertificate rotated = issue(ca, "xds");

    rotated.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));

    await()
        .atMost(BOUND)
        .untilAsserted(
            () ->
                assertThat(
                        ca.serverCertificateAt(server.port(), Optional.of(client))
                            .getSerialNumber())
                    .isEqualTo(rotated.serial()));
    try (AdsTestClient envoy = client(Optional.of(client))) {
      assertThat(clustersOnce(envoy)).containsExactly("a");
    }
    assertThat(logs.lines())
        .anyMatch(
            line ->
                line.contains("Reloaded xDS TLS files")
                    && line.contains(rotated.serial().toString(16)));
  }

  @Test
  void startFailsNamingTheFileWhenAKeyIsUnusable() throws Exception {
    TestCertificate certificate = issue(ca, "xds");
    certificate.write(dir.resolve("tls.crt"), dir.resolve("tls.key"));
    Files.writeString(dir.resolve("tls.key"), issue(ca, "other").privateKeyPem());
    TlsFiles files = TlsFiles.of(dir.resolve("tls.crt"), dir.resolve("tls.key"), Optional.empty());

    assertThatThrownBy(
            () -> XdsServer.start("127.0.0.1", 0, ServerTransport.tls(files), cache, streams))
        .isInstanceOf(UnusableFileException.class)
        .hasMessage(
            "xDS TLS files: "
                + dir.resolve("tls.key")
                + ": the key does not match the certificate in "
                + dir.resolve("tls.crt"));
  }
}
