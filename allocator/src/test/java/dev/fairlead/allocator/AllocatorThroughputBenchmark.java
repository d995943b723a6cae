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
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * (allocate + release cycles, conflicts counted).
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
        "BENCH allocator endpoints=%d threads=%d release=%b: %d allocations in %.1f s = %.0f/s; "
            + "latency p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms; refused %d; conflicts %.0f%n",
        endpoints,
        threads,
        release,
        all.length,
        elapsed,
        all.length / elapsed,
        millis(all, 0.50),
        millis(all, 0.90),
        millis(all, 0.99),
        all[all.length - 1] / 1e6,
        refused.sum(),
        conflicts);
  }

  /**
   * {@code threads} clients calling Allocate (and Release) for {@code seconds}; the latencies of
   * each.
   */
  private static long[][] clients(
      List<AllocatorGrpc.AllocatorBlockingStub> stubs,
      String namespace,
      int threads,
      boolean release,
      int seconds,
      LongAdder refused)
      throws Exception {
    long[][] latencies = new long[threads][];
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      AllocatorGrpc.AllocatorBlockingStub stub = stubs.get(t % 2);
      futures.add(
          executor.submit(
              () -> {
                long[] mine = new long[200_000];
                int count = 0;
                while (System.nanoTime() < deadline && count < mine.length) {
                  long start = System.nanoTime();
                  try {
                    var allocation =
                        stub.allocate(
                            AllocateRequest.newBuilder()
                                .setNamespace(namespace)
                                .setUpstream("game")
                                .build());
                    mine[count++] = System.nanoTime() - start;
                    if (release) {
                      stub.release(
                          ReleaseRequest.newBuilder()
                              .setNamespace(namespace)
                              .setName(allocation.getName())
                              .build());
                    }
                  } catch (StatusRuntimeException e) {
                    refused.increment();
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

  private static double millis(long[] sorted, double quantile) {
    return sorted[(int) Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] / 1e6;
  }
}
