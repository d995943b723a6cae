package dev.fairlead.app;

import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.verdict.ObjectRef;
import dev.fairlead.app.admin.AdminServer;
import dev.fairlead.app.admin.JvmMeters;
import dev.fairlead.app.admin.Readiness;
import dev.fairlead.app.standalone.ConfigDirectory;
import dev.fairlead.app.standalone.ParsedFile;
import dev.fairlead.xds.translate.Translation;
import dev.fairlead.xds.translate.TranslatorOptions;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone Fairlead: the configuration directory feeding the {@link ControlPlane}, and
 * the admin server. {@link #start} returns once the first configuration is published; {@link
 * #close} stops everything. Tests run it in-process; {@code fairlead run --config-dir} runs it from
 * the command line.
 */
public final class StandaloneFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandaloneFairlead.class);

  private final ControlPlane controlPlane;
  private final ConfigDirectory directory;
  private final AdminServer admin;
  private final JvmMeters jvm;

  private StandaloneFairlead(
      ControlPlane controlPlane, ConfigDirectory directory, AdminServer admin, JvmMeters jvm) {
    this.controlPlane = controlPlane;
    this.directory = directory;
    this.admin = admin;
    this.jvm = jvm;
  }

  /**
   * Names, with where it is written, each Gateway of the directory that is not served because its
   * class is not an accepted GatewayClass of Fairlead's in the directory: the same rule as in a
   * cluster, where such a Gateway is another controller's and rightly left alone, but in a
   * directory only Fairlead reads it is a mistake.
   */
  private static void warnOfGatewaysNotServed(
      ConfigDirectory.Snapshot snapshot, Translation translation) {
    Set<String> judged =
        translation.verdicts().stream()
            .filter(v -> v.object().kind().equals("Gateway"))
            .map(v -> v.object().key())
            .collect(Collectors.toSet());
    for (Gateway gateway : snapshot.state().gateways()) {
      if (!judged.contains(ObjectRef.of("Gateway", gateway).key())) {
        ParsedFile.Located where = snapshot.origins().get(ConfigDirectory.key(gateway));
        LOG.warn(
            "{}{} is not served: its gatewayClassName {} names no accepted GatewayClass with controllerName {} "
                + "in the directory",
            where == null ? "" : where.file() + ":" + where.line() + ": ",
            ConfigDirectory.key(gateway),
            gateway.getSpec() == null ? null : gateway.getSpec().getGatewayClassName(),
            GatewayController.NAME);
      }
    }
  }

  /** Starts with meters of its own, in Prometheus form at the admin server's {@code /metrics}. */
  public static StandaloneFairlead start(StandaloneOptions options) {
    return start(options, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  /**
   * Starts with the given meters.
   *
   * @param registry where the meters go; {@code /metrics} shows them if it is a Prometheus registry
   */
  public static StandaloneFairlead start(StandaloneOptions options, MeterRegistry registry) {
    ControlPlane controlPlane =
        ControlPlane.start(
            options.xdsAddress(),
            options.xdsPort(),
            options.xdsTransport(),
            options.xdsProxyIdentity(),
            new TranslatorOptions(options.listenerAddress(), options.unallocatedStatus()),
            registry,
            options.xdsWarmUp());
    AtomicBoolean directoryRead = new AtomicBoolean();
    Readiness readiness =
        new Readiness()
            .require(
                "config-directory",
                "the configuration directory has not been read yet",
                directoryRead::get)
            .require(
                "configuration",
                "no configuration has been built and put in the xDS cache yet",
                () -> controlPlane.publishedConfigurations() > 0)
            .started();
    JvmMeters jvm = JvmMeters.bind(registry);
    AdminServer admin;
    try {
      admin =
          AdminServer.start(
              options.admin().address(),
              options.admin().port(),
              readiness,
              controlPlane.streams(),
              controlPlane.cache(),
              registry);
    } catch (RuntimeException e) {
      jvm.close();
      controlPlane.close();
      throw e;
    }
    AtomicReference<Map<String, ParsedFile.Located>> origins = new AtomicReference<>(Map.of());
    ConfigDirectory directory =
        new ConfigDirectory(
            options.configDir(),
            options.debounce(),
            options.removalGrace(),
            snapshot -> {
              origins.set(snapshot.origins());
              Translation translation =
                  controlPlane.publish(
                      snapshot.state(),
                      object -> {
                        ParsedFile.Located where = origins.get().get(object);
                        return where == null ? null : where.file() + ":" + where.line();
                      });
              warnOfGatewaysNotServed(snapshot, translation);
            });
    try {
      directory.start(options.rescanInterval());
    } catch (RuntimeException e) {
      admin.close();
      jvm.close();
      controlPlane.close();
      throw e;
    }
    directoryRead.set(true);
    LOG.info(
        "Serving {} over xDS on {}:{}; admin on {}:{}",
        options.configDir(),
        options.xdsAddress(),
        controlPlane.xdsPort(),
        options.admin().address(),
        admin.port());
    return new StandaloneFairlead(controlPlane, directory, admin, jvm);
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public int xdsPort() {
    return controlPlane.xdsPort();
  }

  /** The port of the admin server (health, readiness, metrics, debug). */
  public int adminPort() {
    return admin.port();
  }

  /** The translation being served. */
  public dev.fairlead.xds.translate.Translation lastTranslation() {
    return controlPlane.lastTranslation();
  }

  @Override
  public void close() {
    directory.close();
    admin.close();
    controlPlane.close();
    jvm.close();
  }
}
