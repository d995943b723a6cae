package dev.fairlead.allocator;

import dev.fairlead.allocator.AllocationException.Failure;
import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.v1alpha1.Allocation;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out what {@link EndpointAllocator} decided, against the API server: creates Allocations,
 * frees them with the concurrency rules, records why one ended as an Event, and counts conflicts
 * ({@code fairlead_allocator_conflicts_total}), frees ({@code
 * fairlead_allocator_frees_total{reason}}) and Events that could not be written ({@code
 * fairlead_allocator_event_failures_total}). Decides nothing: which candidate to take is {@link
 * CandidateChoice}'s, whether to free is {@link FreeDecision}'s.
 *
 * <p><b>Freeing</b> deletes the Allocation with its resourceVersion as precondition
 * (resourceVersions are unique across objects, so this also pins the UID: a recreated object of the
 * same name is never deleted by a stale release). A precondition failure (409) is retried from a
 * fresh read. An Event that cannot be written is logged at DEBUG and counted, and never fails the
 * free.
 *
 * <p>Thread-safe; every call blocks its thread for the API server round trips it needs. API server
 * failures other than the conflicts named here are thrown as {@link AllocationException}s that say
 * what could not be done.
 */
final class AllocationWriter {

  private static final Logger LOG = LoggerFactory.getLogger(AllocationWriter.class);
  private static final int MAX_RELEASE_ATTEMPTS = 5;

  private final KubernetesClient client;
  private final Clock clock;
  private final Counter conflicts;
  private final Counter eventFailures;
  private final Map<FreeReason, Counter> frees = new EnumMap<>(FreeReason.class);

  AllocationWriter(KubernetesClient client, MeterRegistry registry, Clock clock) {
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.conflicts =
        Counter.builder("fairlead.allocator.conflicts")
            .description(
                "Allocation creates or deletes the API server refused as conflicts (409), then retried")
            .register(registry);
    this.eventFailures =
        Counter.builder("fairlead.allocator.event.failures")
            .description("Events recording why an allocation ended that could not be written")
            .register(registry);
    for (FreeReason reason : FreeReason.values()) {
      frees.put(
          reason,
          Counter.builder("fairlead.allocator.frees")
              .description("Allocations freed, by why")
              .tag("reason", reason.name())
              .register(registry));
    }
  }

  /**
   * Creates {@code desired}.
   *
   * @return the created object; empty when another holder has the endpoint already (409, counted as
   *     a conflict)
   * @throws AllocationException INVALID_ARGUMENT when the API server refuses the object (422),
   *     INTERNAL otherwise
   */
  Optional<Allocation> create(Allocation desired) {
    String namespace = desired.getMetadata().getNamespace();
    try {
      return Optional.of(
          client.resources(Allocation.class).inNamespace(namespace).resource(desired).create());
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        conflicts.increment();
        return Optional.empty();
      }
      if (e.getCode() == 422) {
        throw new AllocationException(
            Failure.INVALID_ARGUMENT,
            "InvalidField",
            "the API server refused the allocation: " + message(e),
            e);
      }
      throw new AllocationException(
          Failure.INTERNAL,
          "ApiServerError",
          "cannot record allocation "
              + namespace
              + "/"
              + desired.getMetadata().getName()
              + ": "
              + message(e),
          e);
    }
  }

  /**
   * The Allocation {@code namespace/name} as the API server holds it now; null if there is none.
   */
  Allocation read(String namespace, String name) {
    try {
      return client.resources(Allocation.class).inNamespace(namespace).withName(name).get();
    } catch (KubernetesClientException e) {
      throw new AllocationException(
          Failure.INTERNAL,
          "ApiServerError",
          "cannot read allocation " + namespace + "/" + name + ": " + message(e),
          e);
    }
  }

  /** Every Allocation of {@code namespace}, listed from the API server. */
  List<Allocation> list(String namespace) {
    try {
      return client.resources(Allocation.class).inNamespace(namespace).list().getItems();
    } catch (KubernetesClientException e) {
      throw new AllocationException(
          Failure.INTERNAL,
          "ApiServerError",
          "cannot list allocations in " + namespace + ": " + message(e),
          e);
    }
  }

  /**
   * Frees {@code observed} for {@code decision}'s reason and records it as an Event.
   *
   * @return the object freed; null if it was gone (or replaced by another of the same name) already
   * @throws AllocationException ABORTED when it kept changing through every attempt, INTERNAL on
   *     other failures
   */
  Allocation free(Allocation observed, FreeDecision.Free decision) {
    try (ObjectLog scope = ObjectLog.of(Allocation.KIND, observed)) {
      return deleteWithRetries(observed, decision);
    }
  }

  private Allocation deleteWithRetries(Allocation observed, FreeDecision.Free decision) {
    Allocation current = observed;
    String namespace = current.getMetadata().getNamespace();
    String name = current.getMetadata().getName();
    for (int attempt = 1; ; attempt++) {
      try {
        boolean deleted =
            !client
                .resources(Allocation.class)
                .inNamespace(namespace)
                .resource(current)
                .lockResourceVersion(current.getMetadata().getResourceVersion())
                .delete()
                .isEmpty();
        if (!deleted) {
          return null;
        }
        frees.get(decision.reason()).increment();
        LOG.debug(
            "Allocation {}/{} freed ({}): {}", namespace, name, decision.reason(), decision.why());
        recordEvent(current, decision);
        return current;
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404) {
          return null;
        }
        if (e.getCode() != 409) {
          throw new AllocationException(
              Failure.INTERNAL,
              "ApiServerError",
              "cannot delete allocation " + namespace + "/" + name + ": " + message(e),
              e);
        }
        conflicts.increment();
        if (attempt >= MAX_RELEASE_ATTEMPTS) {
          throw new AllocationException(
              Failure.ABORTED,
              "Contention",
              "allocation "
                  + namespace
                  + "/"
                  + name
                  + " kept changing during "
                  + attempt
                  + " delete attempts");
        }
        LOG.debug(
            "Allocation {}/{}: delete conflicted (attempt {}), reading it again: {}",
            namespace,
            name,
            attempt,
            message(e));
        Allocation fresh = read(namespace, name);
        if (fresh == null
            || !fresh.getMetadata().getUid().equals(observed.getMetadata().getUid())) {
          return null;
        }
        current = fresh;
      }
    }
  }

  private void recordEvent(Allocation allocation, FreeDecision.Free decision) {
    Instant now = clock.instant();
    String namespace = allocation.getMetadata().getNamespace();
    try {
      client
          .v1()
          .events()
          .inNamespace(namespace)
          .resource(
              new EventBuilder()
                  .withMetadata(
                      new ObjectMetaBuilder()
                          .withName(
                              allocation.getMetadata().getName()
                                  + "."
                                  + UUID.randomUUID().toString().substring(0, 8))
                          .withNamespace(namespace)
                          .build())
                  .withNewInvolvedObject()
                  .withApiVersion(allocation.getApiVersion())
                  .withKind(Allocation.KIND)
                  .withNamespace(namespace)
                  .withName(allocation.getMetadata().getName())
                  .withUid(allocation.getMetadata().getUid())
                  .endInvolvedObject()
                  .withReason(decision.reason().name())
                  .withMessage(decision.why())
                  .withType("Normal")
                  .withCount(1)
                  .withFirstTimestamp(now.toString())
                  .withLastTimestamp(now.toString())
                  .withNewSource()
                  .withComponent("fairlead-allocator")
                  .endSource()
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      eventFailures.increment();
      LOG.debug(
          "Allocation {}/{}: cannot record the {} event: {}",
          namespace,
          allocation.getMetadata().getName(),
          decision.reason(),
          message(e));
    }
  }

  /** The API server's message for {@code e}, with its HTTP code. */
  static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getCode() + " " + e.getStatus().getMessage()
        : e.getMessage();
  }
}
