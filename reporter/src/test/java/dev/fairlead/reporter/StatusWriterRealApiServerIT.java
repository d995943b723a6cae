package dev.fairlead.reporter;

import static dev.fairlead.reporter.Upstreams.has;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.fairlead.api.v1alpha1.Upstream;
import dev.fairlead.api.v1alpha1.UpstreamStatus;
import dev.fairlead.api.verdict.Condition;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * The writer's answers to what a real kube-apiserver says: a stale copy of an Upstream (whose
 * status Fairlead alone writes) is written without conflict; an object deleted, or deleted and
 * recreated, under a stale copy is left alone without an error; a status the API server refuses for
 * good fails with the object named, and the reporter logs that at ERROR once, not once per retry.
 */
class StatusWriterRealApiServerIT {

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private static final Instant NOW = Instant.parse("2030-01-01T10:00:00Z");
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final AtomicInteger NAMESPACES = new AtomicInteger();

  private final UpstreamStatusKind kind = new UpstreamStatusKind();
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private KubernetesClient user;
  private SimpleMeterRegistry registry;
  private LastWrittenStatuses cache;
  private StatusWriter writer;
  private String ns;

  @BeforeAll
  static void installCrds() {
    Upstreams.installCrd(API_SERVER.client());
    API_SERVER.installGatewayApiCrds();
  }

  @BeforeEach
  void writer() {
    logs.start();
    root.addAppender(logs);
    user = API_SERVER.client();
    registry = new SimpleMeterRegistry();
    cache = new LastWrittenStatuses(100, registry);
    writer =
        new StatusWriter(
            user,
            cache,
            registry,
            List.of("Upstream", "Gateway", "HTTPRoute"),
            5,
            Duration.ofMillis(10),
            Duration.ofMillis(100));
    ns = API_SERVER.createNamespace("writer-" + NAMESPACES.incrementAndGet());
  }

  @AfterEach
  void detachLogs() {
    root.detachAppender(logs);
  }

  @Test
  void aStaleCopyOfAnUpstreamIsWrittenWithoutConflictAndLeavesTheNewerLabelsAlone() {
    Upstream stale = create("cart");
    user.resources(Upstream.class)
        .inNamespace(ns)
        .withName("cart")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"labels\":{\"team\":\"shop\"}}}");

    // Fairlead alone writes an Upstream's status: it is patched without a resourceVersion
    // precondition, so the
    // label change since the read does not make it conflict.
    StatusWriter.Outcome outcome = writer.reconcile(kind, stale, acceptedFor(stale));

    assertThat(outcome).isEqualTo(StatusWriter.Outcome.WRITTEN);
    assertThat(has(get("cart"), "Accepted", "True")).isTrue();
    assertThat(Upstreams.count(registry, "fairlead.status.conflicts", "Upstream")).isZero();
    assertThat(get("cart").getMetadata().getLabels()).containsEntry("team", "shop");
    assertThat(cache.get(stale.getMetadata().getUid())).isPresent();
  }

  @Test
  void anObjectDeletedUnderAStaleCopyIsGoneQuietly() {
    Upstream stale = create("cart");
    cache.put(stale.getMetadata().getUid(), new UpstreamStatus(List.of(), 0L, null));
    user.resources(Upstream.class).inNamespace(ns).withName("cart").delete();

    StatusWriter.Outcome outcome = writer.reconcile(kind, stale, acceptedFor(stale));

    assertThat(outcome).isEqualTo(StatusWriter.Outcome.GONE);
    assertThat(cache.get(stale.getMetadata().getUid())).isEmpty();
    assertThat(Upstreams.count(registry, "fairlead.status.failures", "Upstream")).isZero();
  }

  @Test
  void anObjectRecreatedUnderAStaleCopyIsNotGivenItsPredecessorsStatus() {
    Upstream stale = create("cart");
    cache.put(stale.getMetadata().getUid(), new UpstreamStatus(List.of(), 0L, null));
    user.resources(Upstream.class).inNamespace(ns).withName("cart").delete();
    Upstream recreated = create("cart");

    // The patch tests the old UID: the API server refuses it (422), and the object of that name,
    // read again, is another one. The old object is gone; the new one reaches the reporter through
    // the informer.
    StatusWriter.Outcome outcome = writer.reconcile(kind, stale, acceptedFor(stale));

    assertThat(outcome).isEqualTo(StatusWriter.Outcome.GONE);
    assertThat(get("cart").getMetadata().getUid()).isEqualTo(recreated.getMetadata().getUid());
    assertThat(get("cart").getStatus()).isNull();
    assertThat(cache.get(stale.getMetadata().getUid())).isEmpty();
    assertThat(Upstreams.count(registry, "fairlead.status.failures", "Upstream")).isZero();
  }

  @Test
  void aStatusTheApiServerRefusesFailsNamingTheObjectAndIsLoggedOnce() {
    Gateway gateway =
        user.resources(Gateway.class)
            .inNamespace(ns)
            .resource(
                new GatewayBuilder()
                    .withNewMetadata()
                    .withName("public")
                    .endMetadata()
                    .withNewSpec()
                    .withGatewayClassName("fairlead")
                    .addNewListener()
                    .withName("web")
                    .withProtocol("HTTP")
                    .withPort(80)
                    .endListener()
                    .endSpec()
                    .build())
            .create();
    // A reason the Gateway API's CRD does not allow: the API server answers 422 with the field
    // named.
    Condition badReason = new Condition.True("not a valid reason!", "accepted");
    GatewayStatusKind gateways = new GatewayStatusKind();
    StatusReport report =
        StatusReport.of(List.of(Verdicts.of("Gateway", gateway, badReason, Verdicts.RESOLVED)));

    assertThatThrownBy(
            () ->
                writer.reconcile(
                    gateways,
                    gateway,
                    g ->
                        gateways.desired(
                            ReportIndex.of(report).about(ObjectKey.of("Gateway", g)), g, NOW)))
        .isInstanceOf(StatusWriteException.class)
        .hasMessageContaining(
            "Gateway " + ns + "/public (uid " + gateway.getMetadata().getUid() + ")")
        .hasMessageContaining("422")
        .matches(e -> !((StatusWriteException) e).unanswered(), "a refusal is an answer");
    assertThat(Upstreams.count(registry, "fairlead.status.failures", "Gateway")).isEqualTo(1);
    assertThat(Upstreams.count(registry, "fairlead.status.conflicts", "Gateway")).isZero();

    // Through the reporter: retried with a growing backoff, logged at ERROR once.
    try (KubernetesClient reporterClient = API_SERVER.newClient();
        StatusReporter reporter =
            new StatusReporter(
                reporterClient, ReporterSettings.DEFAULT.withNamespaces(Set.of(ns)), registry)) {
      reporter.start();
      reporter.report(report);
      await()
          .atMost(WAIT)
          .until(() -> Upstreams.count(registry, "fairlead.status.failures", "Gateway") >= 3);
    }
    assertThat(logs.list)
        .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .extracting(ILoggingEvent::getFormattedMessage)
        .singleElement()
        .asString()
        .contains("Gateway " + ns + "/public (uid " + gateway.getMetadata().getUid() + ")");
  }

  @Test
  void aWriteTheApiServerNeverAnswersFailsAsUnansweredNotRefused() throws Exception {
    Upstream upstream = create("cart");
    // A listener that accepts connections and never says a word: a TLS handshake to it times out,
    // as one to an API server behind a dead link does.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        KubernetesClient cutOff =
            new KubernetesClientBuilder()
                .withConfig(
                    new ConfigBuilder(user.getConfiguration())
                        .withMasterUrl("https://127.0.0.1:" + silent.getLocalPort())
                        .withConnectionTimeout(1000)
                        .withRequestTimeout(1000)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build()) {
      StatusWriter unreachable =
          new StatusWriter(
              cutOff,
              cache,
              registry,
              List.of("Upstream"),
              5,
              Duration.ofMillis(10),
              Duration.ofMillis(100));

      assertThatThrownBy(() -> unreachable.reconcile(kind, upstream, acceptedFor(upstream)))
          .isInstanceOf(StatusWriteException.class)
          .hasMessageContaining(
              "Upstream " + ns + "/cart (uid " + upstream.getMetadata().getUid() + ")")
          .hasMessageContaining("the API server did not answer")
          .matches(e -> ((StatusWriteException) e).unanswered(), "unanswered");
    }
    assertThat(get("cart").getStatus()).isNull();
  }

  private Function<Upstream, Optional<UpstreamStatus>> acceptedFor(Upstream object) {
    ObjectReport report =
        ReportIndex.of(StatusReport.of(List.of(Verdicts.accepted("Upstream", object))))
            .about(ObjectKey.of("Upstream", object));
    return current -> kind.desired(report, current, NOW);
  }

  private Upstream create(String name) {
    return user.resources(Upstream.class)
        .inNamespace(ns)
        .resource(Upstreams.upstream(ns, name, "1s"))
        .create();
  }

  private Upstream get(String name) {
    return user.resources(Upstream.class).inNamespace(ns).withName(name).get();
  }
}
