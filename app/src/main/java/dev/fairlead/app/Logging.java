package dev.fairlead.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.slf4j.LoggerFactory;

/**
 * How Fairlead logs: the format, {@code text} (human-readable, the default) or {@code json} (one
 * object per line), and the level of Fairlead's own loggers ({@code dev.fairlead}: {@code error},
 * {@code warn}, {@code info} — the default — {@code debug} or {@code trace}; libraries stay at
 * WARN). The bundled {@code logback.xml} reads both from {@value #FORMAT} and {@value #LEVEL}
 * (system properties or environment variables of those names), so the environment alone needs
 * nothing here; the flags set the properties and reload the configuration when they ask for
 * something other than what is in force.
 */
final class Logging {

  static final String FORMAT = "FAIRLEAD_LOG_FORMAT";
  static final String LEVEL = "FAIRLEAD_LOG_LEVEL";

  private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

  private Logging() {}

  /**
   * The format named {@code value}, lower-cased; {@code text} or {@code json}, anything else
   * refused.
   */
  static String format(String value) {
    String format = Objects.requireNonNullElse(value, "text").toLowerCase(Locale.ROOT);
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("--log-format: expected text or json, was " + value);
    }
    return format;
  }

  /**
   * The level named {@code value}, lower-cased; one of error, warn, info, debug, trace, anything
   * else refused.
   */
  static String level(String value) {
    String level = Objects.requireNonNullElse(value, "info").toLowerCase(Locale.ROOT);
    if (!LEVELS.contains(level)) {
      throw new IllegalArgumentException(
          "--log-level: expected error, warn, info, debug or trace, was " + value);
    }
    return level;
  }

  /** Logs in {@code format}, Fairlead's loggers at {@code level}, from now on. */
  static void use(String format, String level) {
    URL configuration = Logging.class.getResource("/logback.xml");
    if ((inForce(FORMAT, "text").equals(format) && inForce(LEVEL, "info").equals(level))
        || configuration == null
        || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    System.setProperty(FORMAT, format);
    System.setProperty(LEVEL, level);
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(configuration);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot reload " + configuration + ": " + e.getMessage(), e);
    }
  }

  private static String inForce(String name, String fallback) {
    return Objects.requireNonNullElse(
            System.getProperty(name), Objects.requireNonNullElse(System.getenv(name), fallback))
        .toLowerCase(Locale.ROOT);
  }
}
