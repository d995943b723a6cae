package dev.fairlead.allocator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.AllocatorGrpc;
import dev.fairlead.allocation.v1.ReleaseRequest;
import dev.fairlead.testkit.Crds;
import dev.fairlead.testkit.RealApiServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Allocation throughput, not a test: two allocator instances (each its own client, informer and
 * gRPC server, as two replicas would be) against the real API server, client threads calling {@code
 * Allocate} over gRPC for a bounded time, after a 5 s warm-up that is not measured. Prints
 * allocations per second and latency percentiles as {@code BENCH} lines.
 *
 * <p>Its name keeps it out of the default test run; run it with {@code ./mvnw -B -pl allocator -am
 * verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=AllocatorThroughputBenchmark
 * -Dfailsafe.failIfNoSpecifiedTests=false}. Two shapes: a large pool (allocate only, the shape of
 * Agones' published figure) and a small contended pool where every client releases what it got
 * (allocate + release cycles, conflicts counted). Beside them, the bound: how fast the API server
 * creates the same Allocation objects with no allocator in the way ({@code
 * apiServerCreatesPerSecond}).
 */
class AllocatorThroughputBenchmark {

  private static final int SECONDS = Integer.getInteger("fairlead.bench.seconds", 20);

  /**
   * Calls made first and not measured, so that JIT compilation and connection set-up are not in the
   * numbers.
   */
  private static final int WARM_UP_SECONDS = Integer.getInteger("fairlead.bench.warmup.seconds", 5);

  @RegisterExtension static final RealApiServer API_SERVER = new RealApiServer();

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @BeforeAll
  static void installGeneratedCrd() throws Exception {
    try (InputStream in =
        AllocatorThroughputBenchmark.class
            .getClassLoader()
            .getResourceAsStream(AllocatorRealApiServerIT.GENERATED_CRD)) {
      Crds.apply(API_SERVER.client(), in);
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  @ParameterizedTest(name = "{0} endpoints, {1} client threads, release={2}")
  @CsvSource({"20000, 16, false", "20000, 32, false", "64, 32, true"})
  void allocationsPerSecond(int endpoints, int threads, boolean release) throws Exception {
    String namespace =
        API_SERVER.createNamespace("bench-" + endpoints + "-" + threads + "-" + release);
    List<Candidate> pool =
        IntStream.range(0, endpoints)
            .mapToObj(
                i ->
                    Candidate.of(
                        "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256), 7777))
            .toList();
    CandidateSource source =
        (ns, name) -> name.equals("game") ? Optional.of(pool) : Optional.empty();
    List<SimpleMeterRegistry> registries =
        List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry());
    List<AllocatorGrpc.AllocatorBlockingStub> stubs = new ArrayList<>();
    for (SimpleMeterRegistry registry : registries) {
      KubernetesClient client = API_SERVER.newClient();
      closeables.add(client);
      EndpointAllocator allocator =
          new EndpointAllocator(
              client,
              source,
              UnallocatedStatus.DEFAULT,
              registry,
              Clock.systemUTC(),
              8,
              AllocatorRealApiServerIT.MAX_TTL,
              AllocatorRealApiServerIT.TOKENS);
      allocator.start();
      closeables.add(allocator);
      AllocationServer server =
          AllocationServer.start(allocator, "127.0.0.1", 0, 0, AllocatorSecurity.plaintext());
      closeables.add(server);
      ManagedChannel channel =
          ManagedChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      closeables.add(channel::shutdownNow);
      stubs.add(AllocatorGrpc.newBlockingStub(channel));
    }

    LongAdder refused = new LongAdder();
    clients(stubs, namespace, threads, release, WARM_UP_SECONDS, new LongAdder());
    long started = System.nanoTime();
    long[][] latencies = clients(stubs, namespace, threads, release, SECONDS, refused);
    double elapsed = (System.nanoTime() - started) / 1e9;

    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    double conflicts =
        registries.stream()
            .mapToDouble(r -> r.get("fairlead.allocator.conflicts").counter().count())
            .sum();
    assertThat(all).as("allocations made").isNotEmpty();
    System.out.printf(
        "BENCH allocator endpoints=%d threads=%d release=%b: %s; refused %d; conflicts %.0f%n",
        endpoints, threads, release, rate("allocations", all, elapsed), refused.sum(), conflicts);
  }

  /**
   * The bound on the above: how fast the API server creates the Allocations the allocator would,
   * with nothing of the allocator in the way — the same objects ({@link DesiredAllocation}), each
   * for another endpoint so none conflicts, from two clients (as two replicas) and the same number
   * of threads, after the same warm-up. An allocation is one such create plus the allocator's
   * choice, so allocations per second can only approach this figure.
   */
  @ParameterizedTest(name = "API server creates, {0} client threads")
  @CsvSource({"16", "32"})
  void apiServerCreatesPerSecond(int threads) throws Exception {
    String namespace = API_SERVER.createNamespace("bench-creates-" + threads);
    List<AllocationWriter> writers = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      KubernetesClient client = API_SERVER.newClient();
      closeables.add(client);
      writers.add(new AllocationWriter(client, new SimpleMeterRegistry(), Clock.systemUTC()));
    }
    AtomicInteger next = new AtomicInteger();
    AllocateRequest request =
        AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build();
    Call create =
        thread -> {
          long start = System.nanoTime();
          int i = next.getAndIncrement();
          Candidate candidate =
              Candidate.of(
                  "10." + (i / 65536 % 256) + "." + (i / 256 % 256) + "." + (i % 256), 7777);
          if (writers
              .get(thread % 2)
              .create(
                  DesiredAllocation.of(
                      request, candidate, Instant.now(), AllocatorRealApiServerIT.MAX_TTL))
              .isEmpty()) {
            throw new IllegalStateException("endpoint " + candidate + " already held");
          }
          return System.nanoTime() - start;
        };
    calls(threads, WARM_UP_SECONDS, create, new LongAdder());
    LongAdder failed = new LongAdder();
    long started = System.nanoTime();
    long[][] latencies = calls(threads, SECONDS, create, failed);
    double elapsed = (System.nanoTime() - started) / 1e9;

    long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
    assertThat(all).as("Allocations created").isNotEmpty();
    System.out.printf(
        "BENCH API server creates threads=%d: %s; failed %d%n",
        threads, rate("Allocations", all, elapsed), failed.sum());
  }

  /** One call a client thread makes, given its number; returns the nanoseconds it measured. */
  @FunctionalInterface
  private interface Call {
    long make(int thread) throws Exception;
  }

  /**
   * {@code threads} threads making {@code call} for {@code seconds}; the latencies of each thread's
   * calls that succeeded, the others counted in {@code failed}.
   */
  private static long[][] calls(int threads, int seconds, Call call, LongAdder failed)
      throws Exception {
    long[][] latencies = new long[threads][];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      futures.add(
          executor.submit(
              () -> {
                long[] mine = new long[200_000];
                int count = 0;
                while (System.nanoTime() < deadline && count < mine.length) {
                  try {
                    mine[count] = call.make(thread);
                    count++;
                  } catch (Exception e) {
                    failed.increment();
                  }
                }
                latencies[thread] = Arrays.copyOf(mine, count);
                return null;
              }));
    }
    for (Future<?> future : futures) {
      future.get(seconds + 120L, TimeUnit.SECONDS);
    }
    executor.shutdown();
    return latencies;
  }

  /**
   * {@code threads} clients calling Allocate (and Release) for {@code seconds}; the latencies of
   * each one's Allocate calls, refusals counted in {@code refused}.
   */
  private static long[][] clients(
      List<AllocatorGrpc.AllocatorBlockingStub> stubs,
      String namespace,
      int threads,
      boolean release,
      int seconds,
      LongAdder refused)
      throws Exception {
    return calls(
        threads,
        seconds,
        thread -> {
          AllocatorGrpc.AllocatorBlockingStub stub = stubs.get(thread % 2);
          long start = System.nanoTime();
          var allocation =
              stub.allocate(
                  AllocateRequest.newBuilder().setNamespace(namespace).setUpstream("game").build());
          long took = System.nanoTime() - start;
          if (release) {
            stub.release(
                ReleaseRequest.newBuilder()
                    .setNamespace(namespace)
                    .setName(allocation.getName())
                    .build());
          }
          return took;
        },
        refused);
  }

  /** "N what in S s = R/s; latency p50 …" for the sorted latencies {@code all}. */
  private static String rate(String what, long[] all, double elapsed) {
    return String.format(
        "%d %s in %.1f s = %.0f/s; latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms",
        all.length,
        what,
        elapsed,
        all.length / elapsed,
        millis(all, 0.50),
        millis(all, 0.90),
        millis(all, 0.99),
        all[all.length - 1] / 1e6);
  }

  private static double millis(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
  }
}
