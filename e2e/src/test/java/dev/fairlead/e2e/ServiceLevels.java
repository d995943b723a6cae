package dev.fairlead.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the soak's producer and monitor record, from many threads at once: every field is a
 * concurrent structure (adders, concurrent queues and maps, HdrHistogram recorders) — never a plain
 * collection written from several threads. The judgements on what was recorded ({@link
 * #heapGrowth}) are pure functions, tested on their own.
 */
final class ServiceLevels {

  /**
   * A period in which a fault was announced, so failures of the traffic it {@code affects} inside
   * it do not count against the target; other traffic must not notice it.
   */
  record Disruption(String what, Instant start, Instant end, Set<String> affects) {

    Disruption {
      affects = Set.copyOf(affects);
    }

    boolean covers(String kind, Instant at) {
      return covers(kind, at, at);
    }

    /**
     * Whether a request of {@code kind} in flight from {@code sent} to {@code ended} overlaps this
     * disruption.
     */
    boolean covers(String kind, Instant sent, Instant ended) {
      return affects.contains(kind) && !ended.isBefore(start) && !sent.isAfter(end);
    }
  }

  /**
   * An ERROR line a fault explains: one logged by the class {@code loggerClass} (simple name)
   * starting with {@code message}, while a disruption named {@code what} was under way.
   */
  record Explanation(String what, String loggerClass, String message) {}

  /** One check's outcome for the summary table; a skipped check passes, and says so. */
  record Row(String check, String target, String measured, boolean passed, boolean skipped) {

    Row(String check, String target, String measured, boolean passed) {
      this(check, target, measured, passed, false);
    }

    static Row skipped(String check, String target, String why) {
      return new Row(check, target, why, true, true);
    }

    String result() {
      return skipped ? "SKIP" : passed ? "PASS" : "FAIL";
    }
  }

  /**
   * What one kind of traffic did: requests sent, those failed outside announced disruptions,
   * latencies (µs).
   */
  record Traffic(
      long requests,
      long failedOutsideDisruptions,
      long p50Micros,
      long p99Micros,
      long maxMicros) {

    double successPercent() {
      return requests == 0 ? 0 : 100.0 * (requests - failedOutsideDisruptions) / requests;
    }
  }

  /** A failed request: in flight from {@code sent} until it failed at {@code ended}. */
  private record Failure(Instant sent, Instant ended) {}

  /**
   * Requests of one kind of traffic, failed ones by when they were in flight, and their latencies.
   */
  private record TrafficLog(
      LongAdder requests, ConcurrentLinkedQueue<Failure> failed, Recorder latencies) {

    TrafficLog() {
      this(new LongAdder(), new ConcurrentLinkedQueue<>(), new Recorder(3));
    }
  }

  private final ConcurrentLinkedQueue<Disruption> disruptions = new ConcurrentLinkedQueue<>();
  private final Map<String, TrafficLog> traffic = new ConcurrentHashMap<>();
  private final Map<String, ConcurrentLinkedQueue<Long>> heapAfterGc = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> actions = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<Acted> timeline = new ConcurrentLinkedQueue<>();
  private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> maxima = new ConcurrentHashMap<>();

  void disruption(String what, Instant start, Instant end, Set<String> affects) {
    disruptions.add(new Disruption(what, start, end, affects));
  }

  /** One change the wanderer made, from when it began until the system was whole again. */
  record Acted(String what, Instant start, Instant end) {}

  /**
   * Records one change the wanderer made, for the run's timeline: a log line is read against it.
   */
  void acted(String what, Instant start, Instant end) {
    timeline.add(new Acted(what, start, end));
  }

  /** Every change the wanderer made, in the order it made them. */
  List<Acted> timeline() {
    return List.copyOf(timeline);
  }

  /**
   * One request of the traffic {@code kind}, sent at {@code at}, and how long it took to succeed or
   * fail. A failed request counts against the target unless a disruption affecting {@code kind}
   * overlaps its time in flight: one sent just before a fault and failed by it is the fault's.
   */
  void request(String kind, Instant at, Duration took, boolean succeeded) {
    TrafficLog stream = traffic.computeIfAbsent(kind, k -> new TrafficLog());
    stream.requests().increment();
    stream.latencies().recordValue(Math.max(0, took.toNanos() / 1000));
    if (!succeeded) {
      stream.failed().add(new Failure(at, at.plus(took)));
    }
  }

  /**
   * The used heap of the replica process {@code process} right after a full collection, one sample
   * a window.
   */
  void heapAfterGc(String process, long bytes) {
    heapAfterGc.computeIfAbsent(process, p -> new ConcurrentLinkedQueue<>()).add(bytes);
  }

  /** Every replica process's heap-after-GC samples, in the order they were taken. */
  Map<String, List<Long>> heapAfterGc() {
    Map<String, List<Long>> samples = new java.util.TreeMap<>();
    heapAfterGc.forEach((process, queue) -> samples.put(process, List.copyOf(queue)));
    return samples;
  }

  void violation(String message) {
    violations.add(Instant.now() + " " + message);
  }

  void action(String name) {
    actions.computeIfAbsent(name, n -> new LongAdder()).increment();
  }

  void count(String name) {
    count(name, 1);
  }

  void count(String name, long times) {
    counters.computeIfAbsent(name, n -> new LongAdder()).add(times);
  }

  void max(String name, long value) {
    maxima
        .computeIfAbsent(name, n -> new AtomicLong(Long.MIN_VALUE))
        .accumulateAndGet(value, Math::max);
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

  /**
   * What the traffic {@code kind} did so far: failures inside an announced disruption do not count.
   * Reads the latencies recorded since the last call, so call it once, at the end.
   */
  Traffic traffic(String kind) {
    TrafficLog stream = traffic.computeIfAbsent(kind, k -> new TrafficLog());
    List<Disruption> windows = new ArrayList<>(disruptions);
    long failed =
        stream.failed().stream()
            .filter(f -> windows.stream().noneMatch(w -> w.covers(kind, f.sent(), f.ended())))
            .count();
    Histogram latencies = stream.latencies().getIntervalHistogram();
    return new Traffic(
        stream.requests().sum(),
        failed,
        latencies.getValueAtPercentile(50),
        latencies.getValueAtPercentile(99),
        latencies.getMaxValue());
  }

  /**
   * The ERROR lines among {@code lines} (a replica's log, text or JSON lines) that no announced
   * fault explains, given {@code explanations}. A text line reads {@code <instant> ERROR <logger> -
   * <message>}; a JSON line has {@code timestamp} (epoch ms), {@code level}, {@code loggerName} and
   * {@code formattedMessage}.
   */
  List<String> unexplainedErrors(List<String> lines, List<Explanation> explanations) {
    List<Disruption> windows = new ArrayList<>(disruptions);
    List<String> unexplained = new ArrayList<>();
    for (String line : lines) {
      Optional<LogLine> error = LogLine.error(line);
      if (error.isPresent()
          && explanations.stream().noneMatch(e -> error.get().explainedBy(e, windows))) {
        unexplained.add(line);
      }
    }
    return unexplained;
  }

  /** An ERROR line: when, which logger, what it said. */
  private record LogLine(Instant at, String logger, String message) {

    private static final Pattern TEXT = Pattern.compile("^(\\S+) ERROR +(\\S+) - (.*)$");
    private static final ObjectMapper JSON = new ObjectMapper();

    static Optional<LogLine> error(String line) {
      if (line.startsWith("{")) {
        try {
          JsonNode json = JSON.readTree(line);
          if (!json.path("level").asText().equals("ERROR")) {
            return Optional.empty();
          }
          return Optional.of(
              new LogLine(
                  Instant.ofEpochMilli(json.path("timestamp").asLong()),
                  json.path("loggerName").asText(),
                  json.path("formattedMessage").asText()));
        } catch (IOException e) {
          return Optional.empty();
        }
      }
      Matcher text = TEXT.matcher(line);
      if (!text.matches()) {
        return Optional.empty();
      }
      try {
        return Optional.of(new LogLine(Instant.parse(text.group(1)), text.group(2), text.group(3)));
      } catch (DateTimeParseException e) {
        return Optional.of(new LogLine(Instant.MIN, text.group(2), text.group(3)));
      }
    }

    boolean explainedBy(Explanation explanation, List<Disruption> windows) {
      return logger.endsWith("." + explanation.loggerClass())
          && message.startsWith(explanation.message())
          && windows.stream()
              .anyMatch(
                  w ->
                      w.what().equals(explanation.what())
                          && !at.isBefore(w.start())
                          && !at.isAfter(w.end()));
    }
  }

  /**
   * How many times a replica's heap after GC may step up and stay up before the steps themselves
   * count as growth: once on becoming the leader (its writers, status reporter and allocator state)
   * and once on taking on a killed replica's proxies.
   */
  static final int HEAP_STEPS_ALLOWED = 2;

  /**
   * How a replica's heap after GC grows without bound, if it does. Judged on its samples after the
   * first {@code warmUp} ones (class loading, JIT, informer caches and the first translations fill
   * a new replica's heap for its first minute, measured at about 6 MiB) and after its last step
   * ({@link #heapSteps}): a replica's heap moves to a new level when it becomes the leader or takes
   * on other replicas' proxies, by 15 to 20 MiB in the soak, which is a new load rather than a
   * leak. More than {@link #HEAP_STEPS_ALLOWED} steps are growth by themselves. Over the samples
   * after the last step, two things must both hold: its last {@code windows} values each rose over
   * the one before by at least an eighth of {@code toleranceBytes}, and by more than {@code
   * toleranceBytes} in all; and its floor rose: the lowest sample of the later half exceeds the
   * lowest of the earlier half by more than half the tolerance. A sample right after a GC still
   * holds what the replica allocated between the GC and the scrape (under churn, tens of MiB that
   * come and go), so only the floor shows what it keeps. Empty when it does not grow, or when there
   * are too few samples to say ({@link #judgedHeap}).
   */
  static Optional<String> heapGrowth(
      List<Long> samples, int warmUp, int windows, long toleranceBytes) {
    if (!judgeable(samples, warmUp, windows)) {
      return Optional.empty();
    }
    List<Long> afterWarmUp = samples.subList(warmUp, samples.size());
    List<Integer> steps = heapSteps(afterWarmUp, toleranceBytes);
    if (steps.size() > HEAP_STEPS_ALLOWED) {
      return Optional.of(
          "stepped up "
              + steps.size()
              + " times and never came back down: "
              + steps.stream()
                  .map(
                      i ->
                          mebibytes(afterWarmUp.get(i - 1))
                              + " to "
                              + mebibytes(afterWarmUp.get(i)))
                  .toList());
    }
    Optional<List<Long>> judged = regime(afterWarmUp, steps, windows);
    if (judged.isEmpty()) {
      return Optional.empty();
    }
    List<Long> regime = judged.get();
    List<Long> last = regime.subList(regime.size() - windows, regime.size());
    long step = toleranceBytes / 8;
    for (int i = 1; i < last.size(); i++) {
      if (last.get(i) - last.get(i - 1) < step) {
        return Optional.empty();
      }
    }
    long rise = last.get(last.size() - 1) - last.get(0);
    if (rise <= toleranceBytes) {
      return Optional.empty();
    }
    int half = regime.size() / 2;
    long earlierFloor = Collections.min(regime.subList(0, half));
    long laterFloor = Collections.min(regime.subList(regime.size() - half, regime.size()));
    if (laterFloor - earlierFloor <= toleranceBytes / 2) {
      return Optional.empty();
    }
    return Optional.of(
        "rose in each of its last "
            + windows
            + " windows"
            + (steps.isEmpty() ? "" : " after stepping up to " + mebibytes(regime.get(0)))
            + ", by "
            + mebibytes(rise)
            + " in all: "
            + last.stream().map(ServiceLevels::mebibytes).toList()
            + "; its floor from "
            + mebibytes(earlierFloor)
            + " to "
            + mebibytes(laterFloor));
  }

  /**
   * Where a replica's heap after GC stepped up and stayed up: the indexes {@code i} where a sample
   * exceeds the one before by more than twice the tolerance and no later sample falls back to
   * within the tolerance of the one before the step. A spike that comes back down is churn, not a
   * step.
   */
  static List<Integer> heapSteps(List<Long> samples, long toleranceBytes) {
    List<Integer> steps = new ArrayList<>();
    long laterFloor = Long.MAX_VALUE;
    long[] floorFrom = new long[samples.size()];
    for (int i = samples.size() - 1; i >= 0; i--) {
      laterFloor = Math.min(laterFloor, samples.get(i));
      floorFrom[i] = laterFloor;
    }
    for (int i = 1; i < samples.size(); i++) {
      long before = samples.get(i - 1);
      if (samples.get(i) - before > 2 * toleranceBytes && floorFrom[i] > before + toleranceBytes) {
        steps.add(i);
      }
    }
    return steps;
  }

  /**
   * The samples {@link #heapGrowth} judges: those after the warm-up and after the last step, when
   * there are enough of them. After a step the replica carries a new load, so its new level is
   * judged on its own, and only once it holds twice {@code windows} samples: the floor of each half
   * needs that many to stand above the churn.
   */
  static Optional<List<Long>> judgedHeap(
      List<Long> samples, int warmUp, int windows, long toleranceBytes) {
    if (!judgeable(samples, warmUp, windows)) {
      return Optional.empty();
    }
    List<Long> afterWarmUp = samples.subList(warmUp, samples.size());
    return regime(afterWarmUp, heapSteps(afterWarmUp, toleranceBytes), windows);
  }

  /** The samples after the last of {@code steps}, as {@link #judgedHeap} says. */
  private static Optional<List<Long>> regime(
      List<Long> afterWarmUp, List<Integer> steps, int windows) {
    if (steps.isEmpty() || steps.size() > HEAP_STEPS_ALLOWED) {
      return Optional.of(afterWarmUp);
    }
    List<Long> regime = afterWarmUp.subList(steps.get(steps.size() - 1), afterWarmUp.size());
    return regime.size() >= 2 * windows ? Optional.of(regime) : Optional.empty();
  }

  /**
   * Whether there are enough samples for {@link #heapGrowth} to look at: the {@code warmUp} ones
   * and {@code windows} more.
   */
  static boolean judgeable(List<Long> samples, int warmUp, int windows) {
    if (windows < 2) {
      throw new IllegalArgumentException("a trend needs at least 2 windows, was " + windows);
    }
    if (warmUp < 0) {
      throw new IllegalArgumentException("warm-up samples cannot be negative, was " + warmUp);
    }
    return samples.size() >= warmUp + windows;
  }

  static String mebibytes(long bytes) {
    return String.format("%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  /** The summary table, one line per check, and whether all passed. */
  static String table(List<Row> rows) {
    int check = rows.stream().mapToInt(r -> r.check().length()).max().orElse(5);
    int target = rows.stream().mapToInt(r -> r.target().length()).max().orElse(6);
    int measured = rows.stream().mapToInt(r -> r.measured().length()).max().orElse(8);
    String format =
        "%-"
            + Math.max(check, 5)
            + "s  %-"
            + Math.max(target, 6)
            + "s  %-"
            + Math.max(measured, 8)
            + "s  %s%n";
    StringBuilder table =
        new StringBuilder(String.format(format, "CHECK", "TARGET", "MEASURED", "RESULT"));
    rows.forEach(
        r -> table.append(String.format(format, r.check(), r.target(), r.measured(), r.result())));
    return table.toString();
  }

  static String seconds(Duration duration) {
    return String.format("%.1f s", Objects.requireNonNull(duration).toMillis() / 1000.0);
  }
}
