package dev.fairlead.bench;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every simulated Envoy adds to from its own stream's thread; read by the driver.
 * Concurrent-safe ({@link LongAdder}s).
 */
final class LoadStats {

  /** Serialized size of every response, as received. */
  final LongAdder bytesReceived = new LongAdder();

  final LongAdder responses = new LongAdder();
  final LongAdder resources = new LongAdder();
  final LongAdder requests = new LongAdder();
  final LongAdder nacks = new LongAdder();

  /** Streams that failed while the driver did not expect it. */
  final LongAdder streamErrors = new LongAdder();

  /** Resources whose name the scenario never serves, or of a type no client asked for. */
  final LongAdder unexpected = new LongAdder();

  /** The counters now, for differences between two moments. */
  Totals totals() {
    return new Totals(
        bytesReceived.sum(),
        responses.sum(),
        resources.sum(),
        requests.sum(),
        nacks.sum(),
        streamErrors.sum(),
        unexpected.sum());
  }

  record Totals(
      long bytes,
      long responses,
      long resources,
      long requests,
      long nacks,
      long streamErrors,
      long unexpected) {

    Totals minus(Totals before) {
      return new Totals(
          bytes - before.bytes,
          responses - before.responses,
          resources - before.resources,
          requests - before.requests,
          nacks - before.nacks,
          streamErrors - before.streamErrors,
          unexpected - before.unexpected);
    }
  }
}
