package dev.fairlead.discovery;

import dev.fairlead.api.log.ObjectLog;
import dev.fairlead.api.v1alpha1.Upstream;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that writes Upstreams for discovery, and the place where discovery's concurrency
 * rules live:
 *
 * <ul>
 *   <li>an apply is a server-side apply of discovery's fields only, field manager {@value
 *       #FIELD_MANAGER}, forcing ownership (so a user's change to one of those fields is put back),
 *       with the resourceVersion the decision was made on as a precondition;
 *   <li>a delete carries the resourceVersion as a precondition, and an Upstream already gone counts
 *       as deleted;
 *   <li>a conflict (409, or a 422 from a failed precondition) is normal: it is logged at DEBUG,
 *       counted, and the write retried after a jittered, growing backoff — from fresh state: the
 *       Upstream is read again from the API server and the decision made again, which may well be
 *       that nothing needs writing any more.
 * </ul>
 *
 * <p>Metrics: {@code fairlead_discovery_writes_total{operation=apply|delete}} counts writes the API
 * server accepted, {@code fairlead_discovery_conflicts_total} the conflicts.
 *
 * <p>Thread-safe and stateless between calls; a call blocks its thread for the write and any
 * backoff.
 */
final class UpstreamWriter {

  /** Field manager of every write discovery makes. */
  static final String FIELD_MANAGER = "fairlead-discovery";

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamWriter.class);

  private final KubernetesClient client;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Counter applies;
  private final Counter deletes;
  private final Counter conflicts;

  /**
   * @param maxAttempts writes tried per decision before giving up; at least 1
   * @param firstBackoff backoff before the first retry; each later one doubles (with jitter of
   *     ±50%)
   */
  UpstreamWriter(
      KubernetesClient client, MeterRegistry registry, int maxAttempts, Duration firstBackoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.client = Objects.requireNonNull(client, "client");
    this.maxAttempts = maxAttempts;
    this.firstBackoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
    this.applies = writes(registry, "apply");
    this.deletes = writes(registry, "delete");
    this.conflicts =
        Counter.builder("fairlead.discovery.conflicts")
            .description(
                "Upstream writes refused as conflicts (409, or 422 from a failed precondition), then retried")
            .register(registry);
  }

  private static Counter writes(MeterRegistry registry, String operation) {
    return Counter.builder("fairlead.discovery.writes")
        .description("Upstream writes by discovery that the API server accepted")
        .tag("operation", operation)
        .register(registry);
  }

  /**
   * Carries out {@code write}; after a conflict, reads the Upstream again and carries out whatever
   * {@code redecide.apply(fresh)} decides instead ({@code fresh} is null if the Upstream is gone),
   * until a decision needs no write.
   *
   * @throws UpstreamWriteException if the API server refuses a write for another reason, or it
   *     still conflicts after the last attempt
   */
  void write(UpstreamDecision.Write write, Function<Upstream, UpstreamDecision> redecide) {
    try (ObjectLog scope = ObjectLog.of("Upstream", write.namespace(), write.name(), uid(write))) {
      writeWithRetries(write, redecide);
    }
  }

  private static String uid(UpstreamDecision.Write write) {
    if (write instanceof UpstreamDecision.Delete delete) {
      return delete.uid();
    }
    String uid = ((UpstreamDecision.Apply) write).uid();
    return uid == null ? "" : uid;
  }

  private void writeWithRetries(
      UpstreamDecision.Write write, Function<Upstream, UpstreamDecision> redecide) {
    UpstreamDecision.Write current = write;
    for (int attempt = 1; ; attempt++) {
      try {
        writeOnce(current);
        return;
      } catch (KubernetesClientException e) {
        if (!isConflict(e)) {
          throw failure(current, "the API server refused it: " + e.getMessage(), e);
        }
        conflicts.increment();
        if (attempt >= maxAttempts) {
          throw failure(current, "still conflicting after " + attempt + " attempts", e);
        }
        LOG.debug(
            "Upstream {}/{}: {} conflicted (attempt {}), retrying from fresh state: {}",
            current.namespace(),
            current.name(),
            current.operation(),
            attempt,
            e.getStatus() == null ? e.getMessage() : e.getStatus().getMessage());
        backOff(current, attempt);
        UpstreamDecision next = redecide.apply(read(current));
        if (!(next instanceof UpstreamDecision.Write nextWrite)) {
          LOG.debug(
              "After a conflict, {}/{} needs no write: {}",
              current.namespace(),
              current.name(),
              next);
          return;
        }
        current = nextWrite;
      }
    }
  }

  private void writeOnce(UpstreamDecision.Write write) {
    if (write instanceof UpstreamDecision.Apply apply) {
      client
          .resource(apply.desired().applyConfiguration(apply.resourceVersion()))
          .fieldManager(FIELD_MANAGER)
          .forceConflicts()
          .serverSideApply();
      applies.increment();
    } else if (write instanceof UpstreamDecision.Delete delete) {
      boolean deleted =
          !client
              .resources(Upstream.class)
              .inNamespace(delete.namespace())
              .withName(delete.name())
              .lockResourceVersion(delete.resourceVersion())
              .delete()
              .isEmpty();
      if (!deleted) {
        LOG.debug(
            "Upstream {}/{} (uid {}) was already gone",
            delete.namespace(),
            delete.name(),
            delete.uid());
        return;
      }
      deletes.increment();
    }
    LOG.debug("Upstream {}/{}: {}", write.namespace(), write.name(), write.operation());
  }

  private Upstream read(UpstreamDecision.Write write) {
    try {
      return client
          .resources(Upstream.class)
          .inNamespace(write.namespace())
          .withName(write.name())
          .get();
    } catch (KubernetesClientException e) {
      throw failure(write, "cannot read it again after a conflict: " + e.getMessage(), e);
    }
  }

  private void backOff(UpstreamDecision.Write write, int attempt) {
    long base = firstBackoff.toNanos() << Math.min(attempt - 1, 16);
    long jittered = (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
    try {
      TimeUnit.NANOSECONDS.sleep(jittered);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(write, "interrupted while backing off after a conflict", e);
    }
  }

  /**
   * Whether the API server refused a write because the object changed since it was read: 409
   * Conflict, or a 422 from a failed precondition. A JSON Patch whose {@code test} op fails answers
   * 422 with a generic message, no causes and no object named; a real validation failure names the
   * object and its invalid fields, and retrying it would fail the same way.
   */
  static boolean isConflict(KubernetesClientException e) {
    if (e.getCode() == 409) {
      return true;
    }
    if (e.getCode() != 422) {
      return false;
    }
    Status status = e.getStatus();
    if (status == null) {
      return false;
    }
    return status.getDetails() == null
        || ((status.getDetails().getCauses() == null || status.getDetails().getCauses().isEmpty())
            && status.getDetails().getName() == null);
  }

  private static UpstreamWriteException failure(
      UpstreamDecision.Write write, String message, Throwable cause) {
    return new UpstreamWriteException(
        write.namespace(),
        write.name(),
        write.uid(),
        write.operation() + " failed: " + message,
        cause);
  }
}
