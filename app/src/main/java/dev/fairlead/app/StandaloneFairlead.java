package dev.fairlead.app;

import dev.fairlead.app.standalone.ConfigDirectory;
import dev.fairlead.app.standalone.ParsedFile;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone Fairlead: the configuration directory feeding the {@link ControlPlane}.
 * {@link #start} returns once the first configuration is published; {@link #close} stops everything.
 * Tests run it in-process; {@code fairlead run --config-dir} runs it from the command line.
 */
public final class StandaloneFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandaloneFairlead.class);

  private final ControlPlane controlPlane;
  private final ConfigDirectory directory;

  private StandaloneFairlead(ControlPlane controlPlane, ConfigDirectory directory) {
    this.controlPlane = controlPlane;
    this.directory = directory;
  }

  public static StandaloneFairlead start(StandaloneOptions options) {
    ControlPlane controlPlane = ControlPlane.start(options.xdsAddress(), options.xdsPort(), options.xdsTransport(),
        options.listenerAddress());
    AtomicReference<Map<String, ParsedFile.Located>> origins = new AtomicReference<>(Map.of());
    ConfigDirectory directory = new ConfigDirectory(options.configDir(), options.debounce(), snapshot -> {
      origins.set(snapshot.origins());
      controlPlane.publish(snapshot.state(), object -> {
        ParsedFile.Located where = origins.get().get(object);
        return where == null ? null : where.file() + ":" + where.line();
      });
    });
    try {
      directory.start(options.rescanInterval());
    } catch (RuntimeException e) {
      controlPlane.close();
      throw e;
    }
    LOG.info("Serving {} over xDS on {}:{}", options.configDir(), options.xdsAddress(), controlPlane.xdsPort());
    return new StandaloneFairlead(controlPlane, directory);
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public int xdsPort() {
    return controlPlane.xdsPort();
  }

  /** The translation being served. */
  public dev.fairlead.xds.translate.Translation lastTranslation() {
    return controlPlane.lastTranslation();
  }

  @Override
  public void close() {
    directory.close();
    controlPlane.close();
  }
}
