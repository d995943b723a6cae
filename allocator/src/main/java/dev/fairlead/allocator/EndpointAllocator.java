package dev.fairlead.allocator;

import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Endpoint;
import dev.fairlead.allocation.v1.ListResponse;
import dev.fairlead.allocation.v1.State;
import dev.fairlead.allocation.v1.Target;
import dev.fairlead.allocator.AllocationException.Failure;
import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import dev.fairlead.api.v1alpha1.AllocationTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation bookkeeping, shared by both front ends: picks a free endpoint, records it as an
 * {@link Allocation}, frees allocations, and answers reads.
 *
 * <p><b>Exclusivity.</b> The Allocation's name is derived from the endpoint ({@link
 * AllocationNames}), so the API server refuses a second holder with 409 AlreadyExists, whichever
 * replica or thread asks. The informer every replica runs on Allocations only <em>narrows</em> the
 * search (endpoints it knows to be held are not tried); it is never what guarantees exclusivity, so
 * its lag costs conflicts, never double allocation. A conflict is expected: it is logged at DEBUG,
 * counted ({@code fairlead_allocator_conflicts_total}) and the next free candidate is tried, in
 * random order so that replicas and threads spread out. When every candidate tried was taken
 * meanwhile, nothing is free (the configured {@link UnallocatedStatus}); when the attempt budget
 * runs out while candidates believed free remain, the call is {@link Failure#ABORTED ABORTED} (HTTP
 * 409) — a contention answer, never a 500.
 *
 * <p>The decisions are values: which candidates a request may take is {@link CandidateChoice}'s,
 * the object that records it {@link DesiredAllocation}'s, and whether an allocation is freed, and
 * why ({@code Released}, {@code Expired}, {@code EndpointGone}), {@link FreeDecision}'s. {@link
 * AllocationWriter} carries them out against the API server, with the concurrency rules, Events and
 * metrics of freeing.
 *
 * <p><b>Tokens.</b> The answer to an allocation carries the allocation's token ({@link
 * AllocationTokens}), which the gateway checks on requests pinned to it; reads and lists never do,
 * so the token reaches only the caller that allocated.
 *
 * <p>Outcomes are counted in {@code fairlead_allocations_total{outcome}}.
 *
 * <p>Thread-safe; every call blocks its thread for the API server round trips it needs.
 */
public final class EndpointAllocator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EndpointAllocator.class);
  private static final String ENDPOINT_INDEX = "endpoint";

  private final KubernetesClient client;
  private final AllocationWriter writer;
  private final CandidateSource candidates;
  private final UnallocatedStatus unallocatedStatus;
  private final Clock clock;
  private final int maxAttempts;
  private final Duration maxTtl;
  private final AllocationTokens tokens;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private volatile SharedIndexInformer<Allocation> informer;

  /**
   * @param maxAttempts creates tried per allocation before answering ABORTED; at least 1
   * @param maxTtl the longest an allocation is held: a longer {@code ttl} is refused as
   *     INVALID_ARGUMENT, and a request without one is held this long; whole seconds, positive
   * @param tokens the tokens handed out with each allocation: the gateway's ({@link AllocationKey})
   */
  public EndpointAllocator(
      KubernetesClient client,
      CandidateSource candidates,
      UnallocatedStatus unallocatedStatus,
      MeterRegistry registry,
      Clock clock,
      int maxAttempts,
      Duration maxTtl,
      AllocationTokens tokens) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.maxTtl = checkedMaxTtl(maxTtl);
    this.client = Objects.requireNonNull(client, "client");
    this.candidates = Objects.requireNonNull(candidates, "candidates");
    this.unallocatedStatus = Objects.requireNonNull(unallocatedStatus, "unallocatedStatus");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.maxAttempts = maxAttempts;
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.writer = new AllocationWriter(client, registry, clock);
    for (String outcome :
        List.of(
            "allocated",
            "unallocated",
            "aborted",
            "not_found",
            "unavailable",
            "invalid",
            "failed")) {
      outcome(outcome);
    }
  }

  /** Starts the informer on Allocations in every namespace and waits until it has synced. */
  public void start() {
    SharedIndexInformer<Allocation> started =
        client.resources(Allocation.class).inAnyNamespace().runnableInformer(0);
    started.addIndexers(
        Map.of(
            ENDPOINT_INDEX,
            a ->
                a.getSpec() == null || a.getSpec().endpoint() == null
                    ? List.of()
                    : List.of(
                        endpointKey(
                            a.getMetadata().getNamespace(),
                            a.getSpec().upstream(),
                            a.getSpec().endpoint().address(),
                            Objects.requireNonNullElse(a.getSpec().endpoint().port(), 0)))));
    started.run();
    informer = started;
  }

  /**
   * {@code maxTtl} when it can bound allocations: whole seconds, positive and within protobuf's
   * Duration range.
   *
   * @throws IllegalArgumentException naming the bounds otherwise
   */
  public static Duration checkedMaxTtl(Duration maxTtl) {
    Objects.requireNonNull(maxTtl, "maxTtl");
    if (maxTtl.isNegative()
        || maxTtl.isZero()
        || maxTtl.getNano() != 0
        || maxTtl.getSeconds() > Durations.MAX_VALUE.getSeconds()) {
      throw new IllegalArgumentException(
          "the maximum allocation TTL must be whole seconds between 1s and "
              + Durations.MAX_VALUE.getSeconds()
              + "s, was "
              + maxTtl.toSeconds()
              + "s");
    }
    return maxTtl;
  }

  /** The unallocated status this allocator answers with. */
  public UnallocatedStatus unallocatedStatus() {
    return unallocatedStatus;
  }

  /** Takes a free endpoint of the requested upstream; see the class documentation. */
  public dev.fairlead.allocation.v1.Allocation allocate(AllocateRequest request) {
    try {
      RequestValidation.checkAllocate(request, maxTtl);
    } catch (AllocationException e) {
      outcome("invalid").increment();
      throw e;
    }
    String namespace = request.getNamespace();
    String upstream = request.getUpstream();
    List<Candidate> all = pool(namespace, upstream);
    SharedIndexInformer<Allocation> current = started();
    CandidateChoice choice =
        new CandidateChoice(
            request.getSelector(),
            candidate -> candidates.targetLabels(namespace, candidate),
            candidate -> held(current, namespace, upstream, candidate));
    int attempts = 0;
    for (Iterator<Candidate> free = choice.among(RandomOrder.of(all)); free.hasNext(); ) {
      Candidate candidate = free.next();
      if (attempts == maxAttempts) {
        outcome("aborted").increment();
        throw new AllocationException(
            Failure.ABORTED,
            "Contention",
            "upstream "
                + namespace
                + "/"
                + upstream
                + ": every one of "
                + attempts
                + " free endpoints tried was "
                + "taken concurrently; retry");
      }
      attempts++;
      Allocation desired = DesiredAllocation.of(request, candidate, clock.instant(), maxTtl);
      try (ObjectLog scope =
          ObjectLog.of(Allocation.KIND, namespace, desired.getMetadata().getName(), "")) {
        Optional<Allocation> created = writer.create(desired);
        if (created.isEmpty()) {
          LOG.debug(
              "Allocation {}/{}: endpoint {}:{} taken concurrently (attempt {}), trying the next one",
              namespace,
              desired.getMetadata().getName(),
              candidate.address(),
              candidate.port(),
              attempts);
          continue;
        }
        outcome("allocated").increment();
        try (ObjectLog held = ObjectLog.of(Allocation.KIND, created.get())) {
          LOG.debug(
              "Allocation {}/{} holds {}:{} of upstream {}",
              namespace,
              created.get().getMetadata().getName(),
              candidate.address(),
              candidate.port(),
              upstream);
        }
        dev.fairlead.allocation.v1.Allocation answer = toApi(created.get(), State.ALLOCATED);
        return tokens
            .tokenFor(created.get())
            .map(token -> answer.toBuilder().setToken(token).build())
            .orElse(answer);
      } catch (AllocationException e) {
        outcome(e.failure() == Failure.INVALID_ARGUMENT ? "invalid" : "failed").increment();
        throw e;
      }
    }
    outcome("unallocated").increment();
    throw new AllocationException(
        Failure.UNALLOCATED,
        "NoFreeEndpoint",
        "upstream "
            + namespace
            + "/"
            + upstream
            + " has no free endpoint"
            + (request.hasSelector() ? " matching the selector" : "")
            + " ("
            + all.size()
            + " endpoints)");
  }

  /** Frees an allocation, as its holder asked. */
  public dev.fairlead.allocation.v1.Allocation release(String namespace, String name) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("name", name);
    Allocation current = writer.read(namespace, name);
    if (current == null) {
      throw notFound(namespace, name);
    }
    Allocation freed = writer.free(current, FreeDecision.released());
    if (freed == null) {
      throw notFound(namespace, name);
    }
    return toApi(freed, State.RELEASED);
  }

  /** An allocation as the API server holds it now. */
  public dev.fairlead.allocation.v1.Allocation get(String namespace, String name) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("name", name);
    Allocation current = writer.read(namespace, name);
    if (current == null) {
      throw notFound(namespace, name);
    }
    return toApi(current, State.ALLOCATED);
  }

  /**
   * The allocations of one upstream, listed from the API server (not the informer), so that an
   * allocation another replica made a moment ago is in it.
   */
  public ListResponse list(String namespace, String upstream) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("upstream", upstream);
    pool(namespace, upstream);
    ListResponse.Builder response = ListResponse.newBuilder();
    writer.list(namespace).stream()
        .filter(a -> a.getSpec() != null && upstream.equals(a.getSpec().upstream()))
        .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
        .forEach(a -> response.addAllocations(toApi(a, State.ALLOCATED)));
    return response.build();
  }

  /**
   * Frees at most {@code limit} allocations, as the informer sees them, that {@link
   * FreeDecision#sweep} says to free. Safe to run on several replicas at once: a lost race is a 404
   * or 409, not an error.
   *
   * @return how many were freed
   */
  public int sweep(int limit) {
    SharedIndexInformer<Allocation> current = informer;
    if (current == null) {
      return 0;
    }
    Instant now = clock.instant();
    int freed = 0;
    for (Allocation allocation : current.getStore().list()) {
      if (freed >= limit) {
        break;
      }
      if (!(FreeDecision.sweep(allocation, now, candidates) instanceof FreeDecision.Free free)) {
        continue;
      }
      try (ObjectLog scope = ObjectLog.of(Allocation.KIND, allocation)) {
        if (writer.free(allocation, free) != null) {
          freed++;
        }
      } catch (AllocationException e) {
        LOG.warn(
            "Cannot free allocation {}/{} ({}): {}",
            allocation.getMetadata().getNamespace(),
            allocation.getMetadata().getName(),
            free.why(),
            e.getMessage());
      }
    }
    return freed;
  }

  @Override
  public void close() {
    SharedIndexInformer<Allocation> current = informer;
    if (current != null) {
      current.close();
    }
  }

  private SharedIndexInformer<Allocation> started() {
    SharedIndexInformer<Allocation> current = informer;
    if (current == null) {
      throw new IllegalStateException("EndpointAllocator used before start()");
    }
    return current;
  }

  /**
   * Whether the informer knows an Allocation holding {@code candidate}: a constant-time index
   * lookup.
   */
  private static boolean held(
      SharedIndexInformer<Allocation> informer,
      String namespace,
      String upstream,
      Candidate candidate) {
    return !informer
        .getIndexer()
        .byIndex(
            ENDPOINT_INDEX, endpointKey(namespace, upstream, candidate.address(), candidate.port()))
        .isEmpty();
  }

  /**
   * The candidates of an Upstream one may allocate from; NOT_FOUND or FAILED_PRECONDITION (counted)
   * if none.
   */
  private List<Candidate> pool(String namespace, String upstream) {
    Optional<List<Candidate>> pool = candidates.candidates(namespace, upstream);
    if (pool.isPresent()) {
      return pool.get();
    }
    Optional<String> unavailable = candidates.unavailable(namespace, upstream);
    if (unavailable.isPresent()) {
      outcome("unavailable").increment();
      throw new AllocationException(
          Failure.FAILED_PRECONDITION,
          "UpstreamNotAllocatable",
          "upstream "
              + namespace
              + "/"
              + upstream
              + " cannot be allocated from: "
              + unavailable.get());
    }
    outcome("not_found").increment();
    throw new AllocationException(
        Failure.NOT_FOUND,
        "UpstreamNotFound",
        "upstream " + namespace + "/" + upstream + " does not exist");
  }

  static dev.fairlead.allocation.v1.Allocation toApi(Allocation allocation, State state) {
    AllocationSpec spec = allocation.getSpec();
    dev.fairlead.allocation.v1.Allocation.Builder api =
        dev.fairlead.allocation.v1.Allocation.newBuilder()
            .setName(allocation.getMetadata().getName())
            .setNamespace(allocation.getMetadata().getNamespace())
            .setState(state);
    if (allocation.getMetadata().getLabels() != null) {
      api.putAllLabels(allocation.getMetadata().getLabels());
    }
    if (allocation.getMetadata().getAnnotations() != null) {
      api.putAllAnnotations(allocation.getMetadata().getAnnotations());
    }
    if (spec == null) {
      return api.build();
    }
    api.setUpstream(Objects.requireNonNullElse(spec.upstream(), ""));
    if (spec.endpoint() != null) {
      api.setEndpoint(
          Endpoint.newBuilder()
              .setAddress(Objects.requireNonNullElse(spec.endpoint().address(), ""))
              .setPort(Objects.requireNonNullElse(spec.endpoint().port(), 0)));
    }
    if (spec.target() != null) {
      api.setTarget(
          Target.newBuilder()
              .setPod(Objects.requireNonNullElse(spec.target().pod(), ""))
              .setNode(Objects.requireNonNullElse(spec.target().node(), ""))
              .setZone(Objects.requireNonNullElse(spec.target().zone(), "")));
    }
    if (spec.expiresAt() != null) {
      try {
        Instant at = Instant.parse(spec.expiresAt());
        api.setExpiresAt(
            Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
      } catch (DateTimeParseException e) {
        LOG.debug(
            "Allocation {}/{}: expiresAt {} is not RFC 3339",
            allocation.getMetadata().getNamespace(),
            allocation.getMetadata().getName(),
            spec.expiresAt());
      }
    }
    return api.build();
  }

  private Counter outcome(String outcome) {
    return outcomes.computeIfAbsent(
        outcome,
        o ->
            Counter.builder("fairlead.allocations")
                .description("Allocation requests, by how they ended")
                .tag("outcome", o)
                .register(registry));
  }

  private static AllocationException notFound(String namespace, String name) {
    return new AllocationException(
        Failure.NOT_FOUND,
        "AllocationNotFound",
        "allocation " + namespace + "/" + name + " does not exist");
  }

  private static String endpointKey(String namespace, String upstream, String address, int port) {
    return namespace + "/" + upstream + "/" + address + "/" + port;
  }
}
