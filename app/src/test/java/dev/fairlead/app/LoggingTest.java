package dev.fairlead.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {

  private static final Logger FAIRLEAD = LoggerFactory.getLogger("dev.fairlead.app.LoggingTest");
  private static final Logger LIBRARY = LoggerFactory.getLogger("io.grpc.LoggingTest");

  @Test
  void theLevelAppliesToFairleadsLoggersAndLeavesLibrariesAtWarn() {
    try {
      Logging.use("text", Logging.level("DEBUG"));

      assertThat(FAIRLEAD.isDebugEnabled()).isTrue();
      assertThat(LIBRARY.isInfoEnabled()).isFalse();

      Logging.use("text", Logging.level("error"));

      assertThat(FAIRLEAD.isWarnEnabled()).isFalse();
      assertThat(FAIRLEAD.isErrorEnabled()).isTrue();
    } finally {
      restoreTestConfiguration();
    }
  }

  /**
   * Puts back what the other tests of this JVM log with: no Fairlead properties, logback-test.xml.
   */
  private static void restoreTestConfiguration() {
    System.clearProperty(Logging.FORMAT);
    System.clearProperty(Logging.LEVEL);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    try {
      new ContextInitializer(context).autoConfig();
    } catch (JoranException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unknownLevelsAndFormatsAreRefusedNamingTheFlag() {
    assertThatThrownBy(() -> Logging.level("verbose"))
        .hasMessageContaining("--log-level")
        .hasMessageContaining("verbose");
    assertThatThrownBy(() -> Logging.format("xml"))
        .hasMessageContaining("--log-format")
        .hasMessageContaining("xml");
  }
}
