package dev.fairlead.e2e;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the soak's producer and monitor record, from many threads at once: every field is a concurrent structure
 * (adders, concurrent queues and maps) — never a plain collection written from several threads.
 */
final class ServiceLevels {

  /** A period in which a fault was announced, so traffic failures inside it do not count against the target. */
  record Disruption(String what, Instant start, Instant end) {

    boolean covers(Instant at) {
      return !at.isBefore(start) && !at.isAfter(end);
    }
  }

  /** One check's outcome for the summary table. */
  record Row(String check, String target, String measured, boolean passed) {
  }

  private final ConcurrentLinkedQueue<Disruption> disruptions = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<Instant> failedRequests = new ConcurrentLinkedQueue<>();
  private final LongAdder requests = new LongAdder();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> actions = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> maxima = new ConcurrentHashMap<>();

  void disruption(String what, Instant start, Instant end) {
    disruptions.add(new Disruption(what, start, end));
  }

  void request(Instant at, boolean succeeded) {
    requests.increment();
    if (!succeeded) {
      failedRequests.add(at);
    }
  }

  void violation(String message) {
    violations.add(Instant.now() + " " + message);
  }

  void action(String name) {
    actions.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  void count(String name) {
    counters.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  void max(String name, long value) {
    maxima.computeIfAbsent(name, n -> new AtomicLong(Long.MIN_VALUE)).accumulateAndGet(value, Math::max);
  }

  long counter(String name) {
    LongAdder adder = counters.get(name);
    return adder == null ? 0 : adder.sum();
  }

  long maximum(String name) {
    AtomicLong value = maxima.get(name);
    return value == null ? 0 : value.get();
  }

  List<String> violations() {
    return List.copyOf(violations);
  }

  Map<String, Long> actions() {
    Map<String, Long> done = new java.util.TreeMap<>();
    actions.forEach((name, adder) -> done.put(name, adder.sum()));
    return done;
  }

  /** Requests sent, and those that failed outside every announced disruption. */
  long[] trafficOutsideDisruptions() {
    List<Disruption> windows = new ArrayList<>(disruptions);
    long failed = failedRequests.stream().filter(at -> windows.stream().noneMatch(w -> w.covers(at))).count();
    return new long[] {requests.sum(), failed};
  }

  /** The summary table, one line per check, and whether all passed. */
  static String table(List<Row> rows) {
    int check = rows.stream().mapToInt(r -> r.check().length()).max().orElse(5);
    int target = rows.stream().mapToInt(r -> r.target().length()).max().orElse(6);
    int measured = rows.stream().mapToInt(r -> r.measured().length()).max().orElse(8);
    String format = "%-" + Math.max(check, 5) + "s  %-" + Math.max(target, 6) + "s  %-" + Math.max(measured, 8)
        + "s  %s%n";
    StringBuilder table = new StringBuilder(String.format(format, "CHECK", "TARGET", "MEASURED", "RESULT"));
    rows.forEach(r -> table.append(String.format(format, r.check(), r.target(), r.measured(),
        r.passed() ? "PASS" : "FAIL")));
    return table.toString();
  }

  static String seconds(Duration duration) {
    return String.format("%.1f s", Objects.requireNonNull(duration).toMillis() / 1000.0);
  }
}
