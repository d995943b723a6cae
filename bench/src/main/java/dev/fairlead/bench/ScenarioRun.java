package dev.fairlead.bench;

import com.google.protobuf.ByteString;
import dev.fairlead.xds.cache.ResourceType;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * One server, one xDS mode, one fleet of simulated Envoys, taken through the phases of a scenario.
 * The server is started holding the scenario's first state; the phases then connect the fleet,
 * change the state, restart the server. Every change is registered with a fresh {@link Convergence}
 * before the server is handed it, and the phase's result covers its changes. Used from one thread.
 */
final class ScenarioRun implements AutoCloseable {

  /**
   * @param endpointsEach endpoints of each Upstream ({@link StateSpec#endpointsEach})
   * @param nackers how many clients NACK the first cluster response they get
   * @param channels gRPC channels (HTTP/2 connections) the clients share
   * @param timeout how long a change may take to reach every client before it counts as not
   *     converged
   */
  record Settings(
      String scenario,
      int upstreams,
      int endpointsEach,
      int clients,
      boolean delta,
      int nackers,
      int channels,
      int eventLoopThreads,
      Duration timeout) {

    String mode() {
      return delta ? "delta" : "sotw";
    }
  }

  private final Settings settings;
  private final Supplier<ServerHandle> servers;
  private final BenchConfig config = new BenchConfig();
  private final EnvoyFleet fleet;
  private final ResourceIds ids;
  private ServerHandle server;
  private StateSpec spec;
  private ResourceSnapshot snapshot;
  private ResourceSnapshot sent = ResourceSnapshot.EMPTY;
  private int generation;

  /** Starts a server from {@code servers} and gives it the scenario's first state. */
  ScenarioRun(Settings settings, Supplier<ServerHandle> servers) {
    this.settings = settings;
    this.servers = servers;
    this.spec = StateSpec.of(settings.upstreams(), settings.endpointsEach());
    this.snapshot = ResourceSnapshot.of(config.envoyResources(spec));
    this.ids = new ResourceIds(snapshot);
    this.fleet =
        new EnvoyFleet(
            settings.clients(),
            settings.delta(),
            settings.nackers(),
            ids,
            settings.channels(),
            settings.eventLoopThreads());
    this.server = servers.get();
    server.send(framesFor(spec, snapshot));
  }

  /** Every client connects at once and is served the whole configuration. */
  PhaseResult connect(String phase) throws InterruptedException {
    return measure(
        phase,
        convergence -> {
          Convergence.Change change =
              convergence.expect(
                  snapshot.transitionsFrom(ResourceSnapshot.EMPTY), System.nanoTime());
          fleet.connectAll(server.port());
          return List.of(change);
        });
  }

  /**
   * Nothing changes for {@code length}: what the server holds and spends with the fleet as it is
   * (connected or not), for the memory each connected client costs.
   */
  PhaseResult idle(String phase, Duration length) throws InterruptedException {
    return measure(
        phase,
        convergence -> {
          TimeUnit.NANOSECONDS.sleep(length.toNanos());
          return List.of();
        });
  }

  /** Every cluster and every endpoint changes at once. */
  PhaseResult updateAll(String phase) throws InterruptedException {
    return change(phase, spec.withEverythingAt(++generation));
  }

  /** {@code count} changes of one Upstream's endpoints, one after the other, each awaited. */
  PhaseResult endpointChanges(String phase, int count) throws InterruptedException {
    return measure(
        phase,
        convergence -> {
          List<Convergence.Change> changes = new ArrayList<>();
          for (int i = 0; i < count; i++) {
            Convergence.Change change =
                changeEndpoints(convergence, i * 7919 % spec.upstreams(), false);
            change.await(settings.timeout());
            changes.add(change);
          }
          return changes;
        });
  }

  /**
   * Endpoint churn: {@code perSecond} changes a second, each of another Upstream (round robin), for
   * {@code duration}, sent at their times whether or not the server keeps up (a server that falls
   * behind works through its backlog while the phase waits for convergence, and after).
   */
  PhaseResult churn(String phase, int perSecond, Duration duration) throws InterruptedException {
    return measure(
        phase,
        convergence -> {
          List<Convergence.Change> changes = new ArrayList<>();
          long start = System.nanoTime();
          long total = perSecond * duration.toSeconds();
          for (long i = 0; i < total; i++) {
            long due = start + i * 1_000_000_000L / perSecond;
            long wait = due - System.nanoTime();
            if (wait > 0) {
              TimeUnit.NANOSECONDS.sleep(wait);
            }
            changes.add(changeEndpoints(convergence, (int) (i % spec.upstreams()), true));
          }
          return changes;
        });
  }

  /**
   * The server is killed; while it is down one Upstream's endpoints change and the last Upstream is
   * deleted; a new server starts with that state, and every client reconnects at once (delta
   * clients with the versions they hold).
   */
  PhaseResult restart(String phase) throws InterruptedException {
    fleet.expectDisconnects();
    server.kill();
    StateSpec next = spec.withEndpoints(0, ++generation).withUpstreams(spec.upstreams() - 1);
    ResourceSnapshot nextSnapshot = ResourceSnapshot.of(config.envoyResources(next));
    server = servers.get();
    sent = ResourceSnapshot.EMPTY;
    server.send(framesFor(next, nextSnapshot));
    List<ResourceSnapshot.Transition> transitions = nextSnapshot.transitionsFrom(snapshot);
    spec = next;
    snapshot = nextSnapshot;
    return measure(
        phase,
        convergence -> {
          Convergence.Change change = convergence.expect(transitions, System.nanoTime());
          fleet.connectAll(server.port());
          return List.of(change);
        });
  }

  /** Every client holds exactly the current state: the check of the smoke test. */
  List<String> mismatches() {
    List<String> problems = new ArrayList<>();
    for (SimulatedEnvoy envoy : fleet.envoys()) {
      for (ResourceType type : ResourceType.values()) {
        for (int id = 0; id < ids.count(type); id++) {
          ByteString expected = snapshot.encoded().get(type).get(ids.name(type, id));
          long want = expected == null ? Fingerprint.ABSENT : Fingerprint.of(expected);
          if (envoy.held(type, id) != want) {
            problems.add(
                "client "
                    + fleet.envoys().indexOf(envoy)
                    + " "
                    + type.shortName()
                    + " "
                    + ids.name(type, id)
                    + (want == Fingerprint.ABSENT
                        ? " should be gone"
                        : " is not the current version"));
          }
        }
      }
    }
    return problems;
  }

  LoadStats stats() {
    return fleet.stats();
  }

  private PhaseResult change(String phase, StateSpec next) throws InterruptedException {
    ResourceSnapshot nextSnapshot = ResourceSnapshot.of(config.envoyResources(next));
    return measure(phase, convergence -> List.of(publish(convergence, next, nextSnapshot, false)));
  }

  private Convergence.Change changeEndpoints(
      Convergence convergence, int index, boolean pipelined) {
    int endpointGeneration = ++generation;
    StateSpec next = spec.withEndpoints(index, endpointGeneration);
    ResourceSnapshot nextSnapshot =
        snapshot.with(ResourceType.ENDPOINT, config.endpointsOf(next, index));
    return publish(convergence, next, nextSnapshot, pipelined);
  }

  private Convergence.Change publish(
      Convergence convergence, StateSpec next, ResourceSnapshot nextSnapshot, boolean pipelined) {
    List<DeltaDiscoveryResponse> frames = framesFor(next, nextSnapshot);
    List<ResourceSnapshot.Transition> transitions = nextSnapshot.transitionsFrom(snapshot);
    spec = next;
    snapshot = nextSnapshot;
    Convergence.Change change = convergence.expect(transitions, System.nanoTime());
    if (pipelined) {
      server.sendPipelined(frames);
    } else {
      server.send(frames);
    }
    return change;
  }

  private List<DeltaDiscoveryResponse> framesFor(StateSpec next, ResourceSnapshot nextSnapshot) {
    if (server.peer().takesStateSpec()) {
      return List.of(ControlFrames.state(next));
    }
    List<DeltaDiscoveryResponse> frames = nextSnapshot.framesFrom(sent);
    sent = nextSnapshot;
    return frames;
  }

  private interface Phase {
    List<Convergence.Change> run(Convergence convergence) throws InterruptedException;
  }

  private PhaseResult measure(String phase, Phase body) throws InterruptedException {
    Convergence convergence = new Convergence(settings.clients(), ids);
    fleet.useConvergence(convergence);
    server.resetPeaks();
    long cpuBefore = server.stats().map(ServerHandle.ServerStats::cpuNanos).orElse(0L);
    LoadStats.Totals before = fleet.stats().totals();
    List<Convergence.Change> changes = body.run(convergence);
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    for (Convergence.Change change : changes) {
      change.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
    // Responses still in flight (a slow server's backlog) count for the phase until they stop.
    LoadStats.Totals after = settle();
    LoadStats.Totals totals = after.minus(before);
    Optional<ServerHandle.ServerStats> stats =
        server
            .stats()
            .map(
                s ->
                    new ServerHandle.ServerStats(
                        s.cpuNanos() - cpuBefore, s.peakRssBytes(), s.peakHeapBytes()));
    Histogram fleetMicros = new Histogram(3);
    Histogram clientMicros = new Histogram(3);
    int converged = 0;
    for (Convergence.Change change : changes) {
      OptionalLong nanos = change.fleetNanos();
      if (nanos.isPresent()) {
        converged++;
        fleetMicros.recordValue(nanos.getAsLong() / 1000);
      }
      change.recordClients(clientMicros);
    }
    return new PhaseResult(
        settings.scenario(),
        phase,
        server.peer(),
        settings.mode(),
        settings.clients(),
        spec.upstreams(),
        changes.size(),
        converged,
        percentileMillis(fleetMicros, 50),
        percentileMillis(fleetMicros, 99),
        fleetMicros.getTotalCount() == 0 ? Double.NaN : fleetMicros.getMaxValue() / 1000.0,
        percentileMillis(clientMicros, 99),
        totals.bytes(),
        totals.responses(),
        totals.nacks(),
        totals.streamErrors(),
        totals.unexpected(),
        stats,
        loadAverage());
  }

  /**
   * Waits until no response has arrived for 200 ms (at most 30 s), and returns the counters then.
   */
  private LoadStats.Totals settle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    LoadStats.Totals last = fleet.stats().totals();
    while (System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(200);
      LoadStats.Totals now = fleet.stats().totals();
      if (now.responses() == last.responses()) {
        return now;
      }
      last = now;
    }
    return last;
  }

  private static double percentileMillis(Histogram micros, double percentile) {
    return micros.getTotalCount() == 0
        ? Double.NaN
        : micros.getValueAtPercentile(percentile) / 1000.0;
  }

  static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  @Override
  public void close() {
    fleet.close();
    server.close();
  }
}
