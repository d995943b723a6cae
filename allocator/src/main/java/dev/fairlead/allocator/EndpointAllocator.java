package dev.fairlead.allocator;

import dev.fairlead.api.log.ObjectLog;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.Durations;
import dev.fairlead.allocation.v1.AllocateRequest;
import dev.fairlead.allocation.v1.Endpoint;
import dev.fairlead.allocation.v1.ListResponse;
import dev.fairlead.allocation.v1.Selector;
import dev.fairlead.allocation.v1.State;
import dev.fairlead.allocation.v1.Target;
import dev.fairlead.allocator.AllocationException.Failure;
import dev.fairlead.api.v1alpha1.Allocation;
import dev.fairlead.api.v1alpha1.AllocationEndpoint;
import dev.fairlead.api.v1alpha1.AllocationNames;
import dev.fairlead.api.v1alpha1.AllocationSelector;
import dev.fairlead.api.v1alpha1.AllocationSpec;
import dev.fairlead.api.v1alpha1.AllocationTarget;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocation bookkeeping, shared by both front ends: picks a free endpoint, records it as an {@link Allocation},
 * frees allocations, and answers reads.
 *
 * <p><b>Exclusivity.</b> The Allocation's name is derived from the endpoint ({@link AllocationNames}), so the API
 * server refuses a second holder with 409 AlreadyExists, whichever replica or thread asks. The informer every replica
 * runs on Allocations only <em>narrows</em> the search (endpoints it knows to be held are not tried); it is never
 * what guarantees exclusivity, so its lag costs conflicts, never double allocation. A conflict is expected: it is
 * logged at DEBUG, counted ({@code fairlead_allocator_conflicts_total}) and the next free candidate is tried, in
 * random order so that replicas and threads spread out. When every candidate tried was taken meanwhile, nothing is
 * free (the configured {@link UnallocatedStatus}); when the attempt budget runs out while candidates believed free
 * remain, the call is {@link Failure#ABORTED ABORTED} (HTTP 409) — a contention answer, never a 500.
 *
 * <p><b>Freeing</b> deletes the Allocation with its resourceVersion as precondition (resourceVersions are unique
 * across objects, so this also pins the UID: a recreated object of the same name is never deleted by a stale
 * release). A precondition failure (409) is retried from a fresh read. Why it ended is recorded as an Event on the
 * object ({@code Released}, {@code Expired}, {@code EndpointGone}); an Event that cannot be written is logged at
 * DEBUG and counted, and never fails the release.
 *
 * <p>Outcomes are counted in {@code fairlead_allocations_total{outcome}} and frees in
 * {@code fairlead_allocator_frees_total{reason}}.
 *
 * <p>Thread-safe; every call blocks its thread for the API server round trips it needs.
 */
public final class EndpointAllocator implements AutoCloseable {

  /** Why an allocation was freed, as recorded in the Event on it. */
  public enum FreeReason {
    Released, Expired, EndpointGone
  }

  private static final Logger LOG = LoggerFactory.getLogger(EndpointAllocator.class);
  private static final String ENDPOINT_INDEX = "endpoint";
  private static final int MAX_RELEASE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final CandidateSource candidates;
  private final UnallocatedStatus unallocatedStatus;
  private final Clock clock;
  private final int maxAttempts;
  private final Duration maxTtl;
  private final Counter conflicts;
  private final Counter eventFailures;
  private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
  private final Map<FreeReason, Counter> frees = new ConcurrentHashMap<>();
  private final MeterRegistry registry;
  private volatile SharedIndexInformer<Allocation> informer;

  /**
   * @param maxAttempts creates tried per allocation before answering ABORTED; at least 1
   * @param maxTtl the longest an allocation is held: a longer {@code ttl} is refused as INVALID_ARGUMENT, and a
   *     request without one is held this long; whole seconds, positive
   */
  public EndpointAllocator(KubernetesClient client, CandidateSource candidates, UnallocatedStatus unallocatedStatus,
      MeterRegistry registry, Clock clock, int maxAttempts, Duration maxTtl) {
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
    this.conflicts = Counter.builder("fairlead.allocator.conflicts")
        .description("Allocation creates or deletes the API server refused as conflicts (409), then retried")
        .register(registry);
    this.eventFailures = Counter.builder("fairlead.allocator.event.failures")
        .description("Events recording why an allocation ended that could not be written")
        .register(registry);
    for (String outcome : List.of("allocated", "unallocated", "aborted", "not_found", "unavailable", "invalid",
        "failed")) {
      outcome(outcome);
    }
    for (FreeReason reason : FreeReason.values()) {
      frees.put(reason, Counter.builder("fairlead.allocator.frees").description("Allocations freed, by why")
          .tag("reason", reason.name()).register(registry));
    }
  }

  /** Starts the informer on Allocations in every namespace and waits until it has synced. */
  public void start() {
    SharedIndexInformer<Allocation> started = client.resources(Allocation.class).inAnyNamespace().runnableInformer(0);
    started.addIndexers(Map.of(ENDPOINT_INDEX, a -> a.getSpec() == null || a.getSpec().endpoint() == null
        ? List.of()
        : List.of(endpointKey(a.getMetadata().getNamespace(), a.getSpec().upstream(), a.getSpec().endpoint().address(),
            Objects.requireNonNullElse(a.getSpec().endpoint().port(), 0)))));
    started.run();
    informer = started;
  }

  /**
   * {@code maxTtl} when it can bound allocations: whole seconds, positive and within protobuf's Duration range.
   *
   * @throws IllegalArgumentException naming the bounds otherwise
   */
  public static Duration checkedMaxTtl(Duration maxTtl) {
    Objects.requireNonNull(maxTtl, "maxTtl");
    if (maxTtl.isNegative() || maxTtl.isZero() || maxTtl.getNano() != 0
        || maxTtl.getSeconds() > Durations.MAX_VALUE.getSeconds()) {
      throw new IllegalArgumentException("the maximum allocation TTL must be whole seconds between 1s and "
          + Durations.MAX_VALUE.getSeconds() + "s, was " + maxTtl.toSeconds() + "s");
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
    int attempts = 0;
    for (Candidate candidate : RandomOrder.of(all)) {
      if (!matches(namespace, request.getSelector(), candidate) || held(current, namespace, upstream, candidate)) {
        continue;
      }
      if (attempts == maxAttempts) {
        outcome("aborted").increment();
        throw new AllocationException(Failure.ABORTED, "Contention",
            "upstream " + namespace + "/" + upstream + ": every one of " + attempts + " free endpoints tried was "
                + "taken concurrently; retry");
      }
      attempts++;
      Allocation desired = desired(request, candidate);
      try (ObjectLog scope = ObjectLog.of(Allocation.KIND, namespace, desired.getMetadata().getName(), "")) {
        Allocation created = client.resources(Allocation.class).inNamespace(namespace).resource(desired).create();
        outcome("allocated").increment();
        try (ObjectLog held = ObjectLog.of(Allocation.KIND, created)) {
          LOG.debug("Allocation {}/{} holds {}:{} of upstream {}", namespace, created.getMetadata().getName(),
              candidate.address(), candidate.port(), upstream);
        }
        return toApi(created, State.ALLOCATED);
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          conflicts.increment();
          LOG.debug("Allocation {}/{}: endpoint {}:{} taken concurrently (attempt {}), trying the next one",
              namespace, desired.getMetadata().getName(), candidate.address(), candidate.port(), attempts);
          continue;
        }
        if (e.getCode() == 422) {
          outcome("invalid").increment();
          throw new AllocationException(Failure.INVALID_ARGUMENT, "InvalidField",
              "the API server refused the allocation: " + message(e), e);
        }
        outcome("failed").increment();
        throw new AllocationException(Failure.INTERNAL, "ApiServerError",
            "cannot record allocation " + namespace + "/" + desired.getMetadata().getName() + ": " + message(e), e);
      }
    }
    outcome("unallocated").increment();
    throw new AllocationException(Failure.UNALLOCATED, "NoFreeEndpoint",
        "upstream " + namespace + "/" + upstream + " has no free endpoint" + (request.hasSelector()
            ? " matching the selector" : "") + " (" + all.size() + " endpoints)");
  }

  /** Frees an allocation, as its holder asked. */
  public dev.fairlead.allocation.v1.Allocation release(String namespace, String name) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("name", name);
    Allocation current = read(namespace, name);
    if (current == null) {
      throw notFound(namespace, name);
    }
    Allocation freed = free(current, FreeReason.Released, "released by its holder");
    if (freed == null) {
      throw notFound(namespace, name);
    }
    return toApi(freed, State.RELEASED);
  }

  /** An allocation as the API server holds it now. */
  public dev.fairlead.allocation.v1.Allocation get(String namespace, String name) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("name", name);
    Allocation current = read(namespace, name);
    if (current == null) {
      throw notFound(namespace, name);
    }
    return toApi(current, State.ALLOCATED);
  }

  /**
   * The allocations of one upstream, listed from the API server (not the informer), so that an allocation another
   * replica made a moment ago is in it.
   */
  public ListResponse list(String namespace, String upstream) {
    RequestValidation.checkNamespace(namespace);
    RequestValidation.checkName("upstream", upstream);
    pool(namespace, upstream);
    try {
      ListResponse.Builder response = ListResponse.newBuilder();
      client.resources(Allocation.class).inNamespace(namespace).list().getItems().stream()
          .filter(a -> a.getSpec() != null && upstream.equals(a.getSpec().upstream()))
          .sorted((a, b) -> a.getMetadata().getName().compareTo(b.getMetadata().getName()))
          .forEach(a -> response.addAllocations(toApi(a, State.ALLOCATED)));
      return response.build();
    } catch (KubernetesClientException e) {
      throw new AllocationException(Failure.INTERNAL, "ApiServerError",
          "cannot list allocations in " + namespace + ": " + message(e), e);
    }
  }

  /**
   * Frees at most {@code limit} allocations, as the informer sees them, that have expired, whose endpoint is no
   * longer among its upstream's candidates, or whose upstream is gone or out of allocation mode (only once the
   * candidate source is {@linkplain CandidateSource#ready() ready}, so that one still warming up frees nothing). Safe to run on several replicas at once: a lost race is a 404 or 409, not an error.
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
      AllocationSpec spec = allocation.getSpec();
      if (spec == null || spec.endpoint() == null) {
        continue;
      }
      Optional<FreeReason> reason = Optional.empty();
      String why = "";
      if (expired(spec, now)) {
        reason = Optional.of(FreeReason.Expired);
        why = "expired at " + spec.expiresAt();
      } else {
        String namespace = allocation.getMetadata().getNamespace();
        Optional<List<Candidate>> known = candidates.candidates(namespace, spec.upstream());
        if (known.isPresent() && known.get().stream().noneMatch(c -> c.address().equals(spec.endpoint().address())
            && c.port() == spec.endpoint().port())) {
          reason = Optional.of(FreeReason.EndpointGone);
          why = "endpoint " + spec.endpoint().address() + ":" + spec.endpoint().port()
              + " is no longer a ready endpoint of upstream " + spec.upstream();
        } else if (known.isEmpty() && candidates.ready()) {
          reason = Optional.of(FreeReason.EndpointGone);
          why = "upstream " + spec.upstream() + " " + candidates.unavailable(namespace, spec.upstream())
              .map(problem -> "cannot be allocated from any more: " + problem).orElse("no longer exists");
        }
      }
      if (reason.isPresent()) {
        try (ObjectLog scope = ObjectLog.of(Allocation.KIND, allocation)) {
          if (free(allocation, reason.get(), why) != null) {
            freed++;
          }
        } catch (AllocationException e) {
          LOG.warn("Cannot free allocation {}/{} ({}): {}", allocation.getMetadata().getNamespace(),
              allocation.getMetadata().getName(), why, e.getMessage());
        }
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

  /** Deletes {@code observed} with a resourceVersion precondition, retrying from fresh state; null if gone. */
  private Allocation free(Allocation observed, FreeReason reason, String why) {
    try (ObjectLog scope = ObjectLog.of(Allocation.KIND, observed)) {
      return deleteWithRetries(observed, reason, why);
    }
  }

  private Allocation deleteWithRetries(Allocation observed, FreeReason reason, String why) {
    Allocation current = observed;
    String namespace = current.getMetadata().getNamespace();
    String name = current.getMetadata().getName();
    for (int attempt = 1; ; attempt++) {
      try {
        boolean deleted = !client.resources(Allocation.class).inNamespace(namespace).resource(current)
            .lockResourceVersion(current.getMetadata().getResourceVersion()).delete().isEmpty();
        if (!deleted) {
          return null;
        }
        frees.get(reason).increment();
        LOG.debug("Allocation {}/{} freed ({}): {}", namespace, name, reason, why);
        recordEvent(current, reason, why);
        return current;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        if (e.getCode() != 409) {
          throw new AllocationException(Failure.INTERNAL, "ApiServerError",
              "cannot delete allocation " + namespace + "/" + name + ": " + message(e), e);
        }
        conflicts.increment();
        if (attempt >= MAX_RELEASE_ATTEMPTS) {
          throw new AllocationException(Failure.ABORTED, "Contention",
              "allocation " + namespace + "/" + name + " kept changing during " + attempt + " delete attempts");
        }
        LOG.debug("Allocation {}/{}: delete conflicted (attempt {}), reading it again: {}", namespace, name,
            attempt, message(e));
        Allocation fresh = read(namespace, name);
        if (fresh == null || !fresh.getMetadata().getUid().equals(observed.getMetadata().getUid())) {
          return null;
        }
        current = fresh;
      }
    }
  }

  private void recordEvent(Allocation allocation, FreeReason reason, String why) {
    Instant now = clock.instant();
    String namespace = allocation.getMetadata().getNamespace();
    try {
      client.v1().events().inNamespace(namespace).resource(new EventBuilder()
          .withMetadata(new ObjectMetaBuilder()
              .withName(allocation.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 8))
              .withNamespace(namespace).build())
          .withNewInvolvedObject()
          .withApiVersion(allocation.getApiVersion()).withKind(Allocation.KIND).withNamespace(namespace)
          .withName(allocation.getMetadata().getName()).withUid(allocation.getMetadata().getUid())
          .endInvolvedObject()
          .withReason(reason.name())
          .withMessage(why)
          .withType("Normal")
          .withCount(1)
          .withFirstTimestamp(now.toString())
          .withLastTimestamp(now.toString())
          .withNewSource().withComponent("fairlead-allocator").endSource()
          .build()).create();
    } catch (KubernetesClientException e) {
      eventFailures.increment();
      LOG.debug("Allocation {}/{}: cannot record the {} event: {}", namespace, allocation.getMetadata().getName(),
          reason, message(e));
    }
  }

  private Allocation read(String namespace, String name) {
    try {
      return client.resources(Allocation.class).inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new AllocationException(Failure.INTERNAL, "ApiServerError",
          "cannot read allocation " + namespace + "/" + name + ": " + message(e), e);
    }
  }

  private SharedIndexInformer<Allocation> started() {
    SharedIndexInformer<Allocation> current = informer;
    if (current == null) {
      throw new IllegalStateException("EndpointAllocator used before start()");
    }
    return current;
  }

  /** Whether the informer knows an Allocation holding {@code candidate}: a constant-time index lookup. */
  private static boolean held(SharedIndexInformer<Allocation> informer, String namespace, String upstream,
      Candidate candidate) {
    return !informer.getIndexer().byIndex(ENDPOINT_INDEX,
        endpointKey(namespace, upstream, candidate.address(), candidate.port())).isEmpty();
  }

  private Allocation desired(AllocateRequest request, Candidate candidate) {
    String name = AllocationNames.forEndpoint(request.getUpstream(), candidate.address(), candidate.port());
    AllocationTarget target = candidate.pod().isEmpty() && candidate.node().isEmpty() && candidate.zone().isEmpty()
        ? null
        : new AllocationTarget(candidate.pod().orElse(null), candidate.node().orElse(null),
            candidate.zone().orElse(null));
    AllocationSelector selector = request.hasSelector()
        ? new AllocationSelector(request.getSelector().getZone().isEmpty() ? null : request.getSelector().getZone(),
            request.getSelector().getLabelsMap().isEmpty() ? null : request.getSelector().getLabelsMap())
        : null;
    Duration ttl = request.hasTtl()
        ? Duration.ofSeconds(request.getTtl().getSeconds(), request.getTtl().getNanos())
        : maxTtl;
    String expiresAt = clock.instant().plus(ttl).toString();
    Allocation allocation = new Allocation();
    allocation.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(request.getNamespace())
        .withLabels(request.getLabelsMap().isEmpty() ? null : request.getLabelsMap())
        .withAnnotations(request.getAnnotationsMap().isEmpty() ? null : request.getAnnotationsMap())
        .build());
    allocation.setSpec(new AllocationSpec(request.getUpstream(),
        new AllocationEndpoint(candidate.address(), candidate.port()), target, selector, expiresAt));
    return allocation;
  }

  /** The candidates of an Upstream one may allocate from; NOT_FOUND or FAILED_PRECONDITION (counted) if none. */
  private List<Candidate> pool(String namespace, String upstream) {
    Optional<List<Candidate>> pool = candidates.candidates(namespace, upstream);
    if (pool.isPresent()) {
      return pool.get();
    }
    Optional<String> unavailable = candidates.unavailable(namespace, upstream);
    if (unavailable.isPresent()) {
      outcome("unavailable").increment();
      throw new AllocationException(Failure.FAILED_PRECONDITION, "UpstreamNotAllocatable",
          "upstream " + namespace + "/" + upstream + " cannot be allocated from: " + unavailable.get());
    }
    outcome("not_found").increment();
    throw new AllocationException(Failure.NOT_FOUND, "UpstreamNotFound",
        "upstream " + namespace + "/" + upstream + " does not exist");
  }

  private boolean matches(String namespace, Selector selector, Candidate candidate) {
    if (!selector.getZone().isEmpty() && !candidate.zone().equals(Optional.of(selector.getZone()))) {
      return false;
    }
    if (selector.getLabelsMap().isEmpty()) {
      return true;
    }
    Map<String, String> labels = candidates.targetLabels(namespace, candidate);
    for (Map.Entry<String, String> label : selector.getLabelsMap().entrySet()) {
      if (!label.getValue().equals(labels.get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static boolean expired(AllocationSpec spec, Instant now) {
    if (spec.expiresAt() == null) {
      return false;
    }
    try {
      return !Instant.parse(spec.expiresAt()).isAfter(now);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  static dev.fairlead.allocation.v1.Allocation toApi(Allocation allocation, State state) {
    AllocationSpec spec = allocation.getSpec();
    dev.fairlead.allocation.v1.Allocation.Builder api = dev.fairlead.allocation.v1.Allocation.newBuilder()
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
      api.setEndpoint(Endpoint.newBuilder().setAddress(Objects.requireNonNullElse(spec.endpoint().address(), ""))
          .setPort(Objects.requireNonNullElse(spec.endpoint().port(), 0)));
    }
    if (spec.target() != null) {
      api.setTarget(Target.newBuilder().setPod(Objects.requireNonNullElse(spec.target().pod(), ""))
          .setNode(Objects.requireNonNullElse(spec.target().node(), ""))
          .setZone(Objects.requireNonNullElse(spec.target().zone(), "")));
    }
    if (spec.expiresAt() != null) {
      try {
        Instant at = Instant.parse(spec.expiresAt());
        api.setExpiresAt(Timestamp.newBuilder().setSeconds(at.getEpochSecond()).setNanos(at.getNano()));
      } catch (DateTimeParseException e) {
        LOG.debug("Allocation {}/{}: expiresAt {} is not RFC 3339", allocation.getMetadata().getNamespace(),
            allocation.getMetadata().getName(), spec.expiresAt());
      }
    }
    return api.build();
  }

  private Counter outcome(String outcome) {
    return outcomes.computeIfAbsent(outcome, o -> Counter.builder("fairlead.allocations")
        .description("Allocation requests, by how they ended").tag("outcome", o).register(registry));
  }

  private static AllocationException notFound(String namespace, String name) {
    return new AllocationException(Failure.NOT_FOUND, "AllocationNotFound",
        "allocation " + namespace + "/" + name + " does not exist");
  }

  private static String endpointKey(String namespace, String upstream, String address, int port) {
    return namespace + "/" + upstream + "/" + address + "/" + port;
  }

  private static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getCode() + " " + e.getStatus().getMessage() : e.getMessage();
  }
}
