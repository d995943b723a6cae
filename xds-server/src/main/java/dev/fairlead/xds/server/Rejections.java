package dev.fairlead.xds.server;

import dev.fairlead.api.log.Shown;
import dev.fairlead.xds.cache.Proxy;
import dev.fairlead.xds.cache.ResourceType;
import java.time.Clock;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One stream's NACK state: per type the rejection that stands, logged once per distinct one and
 * cleared when the proxy accepts or holds a later version, and its last rejection with when it
 * came, kept after it clears.
 *
 * <p>Not thread-safe: guarded by the monitor of the {@link StreamState} that owns it.
 */
final class Rejections {

  private static final Logger LOG = LoggerFactory.getLogger(Rejections.class);

  /**
   * How much of a NACK's error detail and version a log line shows ({@link Shown}: one line, its
   * control characters escaped); the whole detail is kept for status and {@code proxy-status}.
   */
  private static final int SHOWN_MESSAGE = 4096;

  private static final int SHOWN_VERSION = 128;

  private final Clock clock;
  private final Map<ResourceType, Nack> standing = new EnumMap<>(ResourceType.class);
  private final Map<ResourceType, ProxyStatus.LastNack> last = new EnumMap<>(ResourceType.class);

  /**
   * @param clock stamps rejections ({@link ProxyStatus#lastNacks()})
   */
  Rejections(Clock clock) {
    this.clock = clock;
  }

  /**
   * Records that {@code proxy} rejected {@code version} of {@code type}, a response carrying {@code
   * names}; logs it unless the same rejection stands. Returns whether the standing rejections
   * changed.
   */
  boolean reject(
      Proxy proxy, ResourceType type, String version, Collection<String> names, String message) {
    Nack nack = new Nack(proxy.nodeId(), proxy.fleet(), type, version, List.copyOf(names), message);
    Nack before = standing.put(type, nack);
    last.put(type, new ProxyStatus.LastNack(nack, clock.instant()));
    if (before == null
        || !before.rejectedVersion().equals(version)
        || !before.message().equals(message)) {
      LOG.warn(
          "Proxy {} (fleet {}) rejected {} version {} ({}): {}",
          proxy.nodeId(),
          proxy.fleet(),
          type.shortName(),
          Shown.shown(version, SHOWN_VERSION),
          String.join(", ", names),
          Shown.shown(message, SHOWN_MESSAGE));
    }
    return !nack.equals(before);
  }

  /**
   * Drops the standing rejection of {@code type}, if any, logging {@code why}; returns whether
   * there was one.
   */
  boolean clear(Proxy proxy, ResourceType type, String why) {
    Nack cleared = standing.remove(type);
    if (cleared != null) {
      LOG.info(
          "Proxy {} (fleet {}) {} of {}; its rejection of version {} is cleared",
          proxy.nodeId(),
          proxy.fleet(),
          why,
          type.shortName(),
          Shown.shown(cleared.rejectedVersion(), SHOWN_VERSION));
    }
    return cleared != null;
  }

  /** The standing rejection of {@code type}. */
  Optional<Nack> standing(ResourceType type) {
    return Optional.ofNullable(standing.get(type));
  }

  /** Whether any rejection stands. */
  boolean any() {
    return !standing.isEmpty();
  }

  /** The standing rejections, by type (a copy). */
  Map<ResourceType, Nack> standing() {
    return Map.copyOf(standing);
  }

  /** The last rejection of each type and when it came, standing or not (a copy). */
  Map<ResourceType, ProxyStatus.LastNack> last() {
    return Map.copyOf(last);
  }
}
