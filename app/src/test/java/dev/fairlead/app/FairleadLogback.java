package dev.fairlead.app;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** What Fairlead's bundled {@code logback.xml} writes on standard output for some logging. */
final class FairleadLogback {

  private FairleadLogback() {}

  /** The text {@code logging} writes through a fresh context configured by {@code logback.xml}. */
  static String written(Consumer<LoggerContext> logging) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setOut(new PrintStream(written, true, StandardCharsets.UTF_8));
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      configurator.doConfigure(FairleadLogback.class.getResource("/logback.xml"));
      logging.accept(context);
    } finally {
      context.stop();
      System.setOut(out);
    }
    return written.toString(StandardCharsets.UTF_8);
  }
}
