package dev.fairlead.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.LoggerFactory;

/**
 * The log format: {@code text} (human-readable, the default) or {@code json} (one object per line). The bundled
 * {@code logback.xml} picks the appender from {@value #PROPERTY} (a system property or the environment variable of
 * that name), so the environment variable alone needs nothing here; the flag sets the property and reloads the
 * configuration when it asks for another format than the one already in force.
 */
final class LogFormat {

  static final String PROPERTY = "FAIRLEAD_LOG_FORMAT";

  private LogFormat() {
  }

  /** The format named {@code value}, lower-cased; {@code text} or {@code json}, anything else refused. */
  static String parse(String value) {
    String format = Objects.requireNonNullElse(value, "text").toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("--log-format: expected text or json, was " + value);
    }
    return format;
  }

  /** Logs in {@code format} from now on. */
  static void use(String format) {
    String current = Objects.requireNonNullElse(System.getProperty(PROPERTY),
        Objects.requireNonNullElse(System.getenv(PROPERTY), "text"));
    URL configuration = LogFormat.class.getResource("/logback.xml");
    if (current.equals(format) || configuration == null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    System.setProperty(PROPERTY, format);
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot reload " + configuration + ": " + e.getMessage(), e);
    }
  }
}
