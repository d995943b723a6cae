package dev.fairlead.app;

import dev.fairlead.app.standalone.ConfigDirectory;
import dev.fairlead.app.standalone.ParsedFile;
import dev.fairlead.xds.cache.StreamRegistry;
import dev.fairlead.xds.cache.XdsCache;
import dev.fairlead.xds.server.XdsServer;
import dev.fairlead.xds.translate.Translator;
import dev.fairlead.xds.translate.TranslatorOptions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running standalone Fairlead: the configuration directory feeding the translator, the xDS cache and the xDS
 * server. {@link #start} returns once the first configuration is served; {@link #close} stops everything.
 * Tests run it in-process; {@code fairlead run --config-dir} runs it from the command line.
 */
public final class StandaloneFairlead implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(StandaloneFairlead.class);

  private final StreamRegistry streams;
  private final XdsCache cache;
  private final XdsServer server;
  private final ConfigDirectory directory;
  private final ConfigPublisher publisher;

  private StandaloneFairlead(StreamRegistry streams, XdsCache cache, XdsServer server, ConfigDirectory directory,
      ConfigPublisher publisher) {
    this.streams = streams;
    this.cache = cache;
    this.server = server;
    this.directory = directory;
    this.publisher = publisher;
  }

  public static StandaloneFairlead start(StandaloneOptions options) {
    StreamRegistry streams = new StreamRegistry();
    XdsCache cache = new XdsCache(streams);
    ConfigPublisher publisher = new ConfigPublisher(new Translator(new TranslatorOptions(options.listenerAddress())),
        cache);
    AtomicReference<Map<String, ParsedFile.Located>> origins = new AtomicReference<>(Map.of());
    ConfigDirectory directory = new ConfigDirectory(options.configDir(), options.debounce(), snapshot -> {
      origins.set(snapshot.origins());
      publisher.publish(snapshot.state(), object -> {
        ParsedFile.Located where = origins.get().get(object);
        return where == null ? null : where.file() + ":" + where.line();
      });
    });
    directory.start(options.rescanInterval());
    XdsServer server;
    try {
      server = XdsServer.start(options.xdsAddress(), options.xdsPort(), cache, streams);
    } catch (RuntimeException e) {
      directory.close();
      throw e;
    }
    LOG.info("Serving {} over xDS on {}:{}", options.configDir(), options.xdsAddress(), server.port());
    return new StandaloneFairlead(streams, cache, server, directory, publisher);
  }

  public int xdsPort() {
    return server.port();
  }

  public XdsCache cache() {
    return cache;
  }

  public StreamRegistry streams() {
    return streams;
  }

  /** The translation being served. */
  public dev.fairlead.xds.translate.Translation lastTranslation() {
    return publisher.lastTranslation().orElseThrow();
  }

  /** How many configurations have been published (the first by the time {@link #start} returns). */
  public long publishedConfigurations() {
    return publisher.published();
  }

  @Override
  public void close() {
    directory.close();
    server.close();
  }
}
