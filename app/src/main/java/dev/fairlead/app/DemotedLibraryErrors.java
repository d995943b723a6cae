package dev.fairlead.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Logs at WARN the one library ERROR that is no fault and asks nothing of an operator: fabric8's
 * Vert.x WebSocket logs {@value #QUEUED_CLOSE} at ERROR when it closes a watch whose connection has
 * already gone (an API server restarted or out of reach: the close frame finds the channel closed),
 * where its JDK and Jetty transports log the same event at WARN. The watch is over either way and
 * the informer watches again. Every other line of that logger, and the same message at any other
 * level, passes as it is.
 */
public final class DemotedLibraryErrors extends TurboFilter {

  static final String WEB_SOCKET = "io.fabric8.kubernetes.client.vertx.VertxWebSocket";
  static final String QUEUED_CLOSE = "Queued close did not succeed";

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level != Level.ERROR
        || !QUEUED_CLOSE.equals(format)
        || !WEB_SOCKET.equals(logger.getName())) {
      return FilterReply.NEUTRAL;
    }
    logger.warn(QUEUED_CLOSE + ": the watch's connection had already closed", t);
    return FilterReply.DENY;
  }
}
