package dev.fairlead.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while a test (or, registered on a static field, a test class) runs:
 * SLF4J's (Logback) and java.util.logging's (which gRPC uses), each with its stack trace, for
 * assertions such as "no key material or token was ever logged". Lines are captured at the levels
 * the logging configuration lets through.
 */
public final class CapturedLogs
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

  private final ListAppender<ILoggingEvent> logback = new ListAppender<>();
  private final List<String> julLines = Collections.synchronizedList(new ArrayList<>());
  private final Handler jul =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          StringBuilder line =
              new StringBuilder(
                  record.getLevel()
                      + " "
                      + record.getLoggerName()
                      + " - "
                      + new java.util.logging.SimpleFormatter().formatMessage(record));
          for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
            line.append('\n').append(t);
            for (StackTraceElement element : t.getStackTrace()) {
              line.append("\n\tat ").append(element);
            }
          }
          julLines.add(line.toString());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };
  private boolean classScoped;

  @Override
  public void beforeAll(ExtensionContext context) {
    classScoped = true;
    attach();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    detach();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!classScoped) {
      attach();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!classScoped) {
      detach();
    }
  }

  private void attach() {
    logback.start();
    root().addAppender(logback);
    jul.setLevel(Level.ALL);
    java.util.logging.Logger.getLogger("").addHandler(jul);
  }

  private void detach() {
    root().detachAppender(logback);
    logback.stop();
    java.util.logging.Logger.getLogger("").removeHandler(jul);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** Every line so far: level, logger, message and any stack trace. */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    synchronized (logback) { // AppenderBase.doAppend holds the appender's lock
      for (ILoggingEvent event : logback.list) {
        String line =
            event.getLevel() + " " + event.getLoggerName() + " - " + event.getFormattedMessage();
        if (event.getThrowableProxy() != null) {
          line += "\n" + ThrowableProxyUtil.asString(event.getThrowableProxy());
        }
        lines.add(line);
      }
    }
    synchronized (julLines) {
      lines.addAll(julLines);
    }
    return lines;
  }

  /** Fails naming {@code what} (not the text itself) when any line so far contains {@code text}. */
  public void assertNoLineContains(String what, String text) {
    for (String line : lines()) {
      if (line.contains(text)) {
        throw new AssertionError("a log line contains " + what + ": " + line);
      }
    }
  }
}
