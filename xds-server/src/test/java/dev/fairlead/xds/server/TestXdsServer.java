package dev.fairlead.xds.server;

import dev.fairlead.tls.ServerTransport;
import dev.fairlead.xds.cache.XdsCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A plaintext xDS server on 127.0.0.1 and an ephemeral port, with its own cache, stream registry
 * and meters, fresh for each test: {@code @RegisterExtension final TestXdsServer xds = new
 * TestXdsServer();}.
 */
final class TestXdsServer implements BeforeEachCallback, AfterEachCallback {

  private final Clock clock;
  private final java.util.function.Supplier<SendBudget> budget;
  private SimpleMeterRegistry registry;
  private StreamRegistry streams;
  private XdsCache cache;
  private XdsServer server;

  TestXdsServer() {
    this(Clock.systemUTC());
  }

  /**
   * @param clock stamps rejections
   */
  TestXdsServer(Clock clock) {
    this(clock, () -> new SendBudget(XdsServer.SEND_BUDGET_BYTES, XdsServer.STALE_SEND_NANOS));
  }

  /**
   * @param budget makes each test's send budget
   */
  TestXdsServer(Clock clock, java.util.function.Supplier<SendBudget> budget) {
    this.clock = clock;
    this.budget = budget;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    registry = new SimpleMeterRegistry();
    streams = new StreamRegistry(registry, clock);
    cache = new XdsCache();
    server =
        XdsServer.start("127.0.0.1", 0, ServerTransport.plaintext(), cache, streams, budget.get());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    server.close();
  }

  SimpleMeterRegistry registry() {
    return registry;
  }

  StreamRegistry streams() {
    return streams;
  }

  XdsCache cache() {
    return cache;
  }

  int port() {
    return server.port();
  }
}
