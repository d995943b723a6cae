package dev.fairlead.reporter;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only code that writes status, and the place where the reporter's concurrency rules live:
 *
 * <ul>
 *   <li>a write goes to the <em>status subresource only</em> (nothing else of the object can change
 *       through it) and always carries the {@code uid} of the object the status was computed from
 *       as a precondition, so a recreated object of the same name is never given its predecessor's
 *       status;
 *   <li>how it is written depends on who else writes the status ({@link StatusKind#sharesStatus}).
 *       A status Fairlead alone writes (Upstreams, Fairlead's GatewayClasses and Gateways) is
 *       written whole with a JSON Patch {@code [test /metadata/uid, add /status]} and no {@code
 *       resourceVersion} precondition: changes to the object's metadata or spec by others cannot
 *       make it conflict, so they cannot starve it. A status other controllers share (a route's
 *       {@code status.parents}) is written with an update carrying the {@code resourceVersion} it
 *       was computed from as well, so an entry another controller wrote meanwhile is never
 *       overwritten;
 *   <li>whether to write at all is {@link WriteDecision}'s call, from the desired status, the
 *       object's current one and the {@link LastWrittenStatuses last-written cache} for the
 *       object's UID;
 *   <li>a 409 Conflict on a shared status (the object changed since it was read, or it is another
 *       object of the same name now) is normal: it is logged at DEBUG, counted, and retried after a
 *       jittered, growing backoff <em>from fresh state</em> — the object is read again from the API
 *       server and the desired status computed again, which may well be that nothing needs writing
 *       any more;
 *   <li>an object gone (404, on the write or the read after a conflict) is simply done with: its
 *       cache entry is dropped, nothing is logged above DEBUG. So is an object whose JSON Patch
 *       answers 422 and which, read again, is absent or has another UID: its {@code test} failed
 *       because it was deleted and recreated, and the new object reaches the reporter through the
 *       informer;
 *   <li>anything else, or a conflict still there after the last attempt, drops the cache entry and
 *       throws {@link StatusWriteException} naming the object. The writer does not log it: the
 *       caller decides how often such a failure is worth an error line.
 * </ul>
 *
 * <p>Metrics, per kind: {@code fairlead_status_writes_total{kind}} (writes the API server
 * accepted), {@code fairlead_status_skips_total{kind}} (desired statuses found already in place),
 * {@code fairlead_status_conflicts_total{kind}}, {@code fairlead_status_failures_total{kind}}
 * (writes given up).
 *
 * <p>Thread-safe and stateless between calls; a call blocks its thread for the reads, writes and
 * backoffs it needs. Callers must not work on one object from two threads at once.
 */
final class StatusWriter {

  /** How a {@link #reconcile} ended. */
  enum Outcome {
    /** The status was written. */
    WRITTEN,
    /** The object already carried the desired status. */
    IN_PLACE,
    /** The report says nothing about the object (as it is now): its status is left alone. */
    NOTHING_TO_SAY,
    /** The object no longer exists. */
    GONE
  }

  private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

  private final KubernetesClient client;
  private final LastWrittenStatuses lastWritten;
  private final int maxAttempts;
  private final Duration firstBackoff;
  private final Duration maxBackoff;
  private final Map<String, Counter> writes = new HashMap<>();
  private final Map<String, Counter> skips = new HashMap<>();
  private final Map<String, Counter> conflicts = new HashMap<>();
  private final Map<String, Counter> failures = new HashMap<>();

  /**
   * @param kinds the kinds written; their counters exist from the start
   * @param maxAttempts writes tried per reconcile before giving up on conflicts; at least 1
   * @param firstBackoff backoff before the first retry; each later one doubles, up to {@code
   *     maxBackoff}, and each is jittered by ±50%
   */
  StatusWriter(
      KubernetesClient client,
      LastWrittenStatuses lastWritten,
      MeterRegistry registry,
      List<String> kinds,
      int maxAttempts,
      Duration firstBackoff,
      Duration maxBackoff) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
    this.client = Objects.requireNonNull(client, "client");
    this.lastWritten = Objects.requireNonNull(lastWritten, "lastWritten");
    this.maxAttempts = maxAttempts;
    this.firstBackoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
    this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
    for (String kind : kinds) {
      writes.put(
          kind,
          counter(
              registry, "fairlead.status.writes", "Status writes the API server accepted", kind));
      skips.put(
          kind,
          counter(
              registry,
              "fairlead.status.skips",
              "Desired statuses found already in place, so not written",
              kind));
      conflicts.put(
          kind,
          counter(
              registry,
              "fairlead.status.conflicts",
              "Status writes refused as conflicts (409), then retried from fresh state",
              kind));
      failures.put(
          kind,
          counter(
              registry,
              "fairlead.status.failures",
              "Status writes given up: refused for another reason, or still conflicting after every retry",
              kind));
    }
  }

  private static Counter counter(
      MeterRegistry registry, String name, String description, String kind) {
    return Counter.builder(name).description(description).tag("kind", kind).register(registry);
  }

  /**
   * Brings the status of {@code observed} to what {@code desiredFor} says it should be, if it says
   * anything.
   *
   * @param observed the object as the informer holds it
   * @param desiredFor the desired status of the object as given (it is called again for every fresh
   *     read)
   * @throws StatusWriteException if the API server refuses the write for a reason other than a
   *     conflict, or it still conflicts after the last attempt
   */
  <T extends HasMetadata, S> Outcome reconcile(
      StatusKind<T, S> kind, T observed, Function<T, Optional<S>> desiredFor) {
    T current = observed;
    boolean fresh = false;
    int attempt = 1;
    while (true) {
      Optional<S> desired = desiredFor.apply(current);
      if (desired.isEmpty()) {
        return Outcome.NOTHING_TO_SAY;
      }
      String uid = current.getMetadata().getUid();
      S want = kind.comparable(desired.get());
      switch (WriteDecision.decide(
          want, kind.comparable(kind.status(current)), lastWritten.get(uid), fresh)) {
        case IN_PLACE -> {
          lastWritten.put(uid, want);
          skips.get(kind.kind()).increment();
          return Outcome.IN_PLACE;
        }
        case READ_AGAIN -> {
          LOG.debug(
              "{} {}/{} (uid {}): the status last written is not the one read, reading it again",
              kind.kind(),
              namespace(current),
              name(current),
              uid);
        }
        case WRITE -> {
          try {
            write(kind, current, desired.get());
            lastWritten.put(uid, want);
            writes.get(kind.kind()).increment();
            LOG.debug(
                "{} {}/{} (uid {}): status written",
                kind.kind(),
                namespace(current),
                name(current),
                uid);
            return Outcome.WRITTEN;
          } catch (KubernetesClientException e) {
            lastWritten.invalidate(uid);
            if (e.getCode() == 404) {
              return gone(kind, current);
            }
            if (e.getCode() == 422 && !kind.sharesStatus() && recreatedOrGone(kind, current)) {
              return gone(kind, current);
            }
            if (unanswered(e)) {
              throw failure(kind, current, "the API server did not answer: " + message(e), true, e);
            }
            if (e.getCode() != 409) {
              throw failure(
                  kind, current, "the API server refused the status: " + message(e), false, e);
            }
            conflicts.get(kind.kind()).increment();
            if (attempt >= maxAttempts) {
              throw failure(
                  kind,
                  current,
                  "status still conflicting after " + attempt + " attempts",
                  false,
                  e);
            }
            LOG.debug(
                "{} {}/{} (uid {}): status write conflicted (attempt {}), retrying from fresh state: {}",
                kind.kind(),
                namespace(current),
                name(current),
                uid,
                attempt,
                message(e));
            backOff(kind, current, attempt);
            attempt++;
          }
        }
      }
      T read = read(kind, current);
      if (read == null) {
        lastWritten.invalidate(uid);
        return gone(kind, current);
      }
      current = read;
      fresh = true;
    }
  }

  /**
   * Writes {@code status} to {@code object}'s status subresource, the way {@link
   * StatusKind#sharesStatus} says.
   */
  private <T extends HasMetadata, S> void write(StatusKind<T, S> kind, T object, S status) {
    if (kind.sharesStatus()) {
      in(kind, object).resource(kind.withStatus(object, status)).updateStatus();
      return;
    }
    String patch =
        client
            .getKubernetesSerialization()
            .asJson(
                List.of(
                    Map.of(
                        "op",
                        "test",
                        "path",
                        "/metadata/uid",
                        "value",
                        object.getMetadata().getUid()),
                    Map.of(
                        "op",
                        "add",
                        "path",
                        "/status",
                        "value",
                        kind.patchValue(jsonObject(status)))));
    in(kind, object)
        .withName(name(object))
        .subresource("status")
        .patch(PatchContext.of(PatchType.JSON), patch);
  }

  /** {@code value}'s JSON form as a map (its serialization's field names and values). */
  private Map<String, Object> jsonObject(Object value) {
    Map<?, ?> json = client.getKubernetesSerialization().convertValue(value, Map.class);
    return StatusKind.stringKeyed(json);
  }

  /**
   * Whether the object of {@code object}'s name is gone or another one (another UID) now. The API
   * server answers a failed JSON Patch {@code test} with 422, as it does a status its schema
   * refuses; this tells the two apart.
   */
  private <T extends HasMetadata> boolean recreatedOrGone(StatusKind<T, ?> kind, T object) {
    T now = read(kind, object);
    return now == null || !object.getMetadata().getUid().equals(now.getMetadata().getUid());
  }

  private <T extends HasMetadata> T read(StatusKind<T, ?> kind, T object) {
    try {
      return in(kind, object).withName(name(object)).get();
    } catch (KubernetesClientException e) {
      lastWritten.invalidate(object.getMetadata().getUid());
      throw failure(
          kind, object, "cannot read it from the API server: " + message(e), unanswered(e), e);
    }
  }

  /**
   * The operations on {@code object}'s kind in its namespace, or cluster-wide for a cluster-scoped
   * object.
   */
  private <T extends HasMetadata> NonNamespaceOperation<T, ?, Resource<T>> in(
      StatusKind<T, ?> kind, T object) {
    MixedOperation<T, ?, Resource<T>> operation = client.resources(kind.type());
    return namespace(object).isEmpty() ? operation : operation.inNamespace(namespace(object));
  }

  private Outcome gone(StatusKind<?, ?> kind, HasMetadata object) {
    LOG.debug(
        "{} {}/{} (uid {}) is gone; nothing to write",
        kind.kind(),
        namespace(object),
        name(object),
        object.getMetadata().getUid());
    return Outcome.GONE;
  }

  private void backOff(StatusKind<?, ?> kind, HasMetadata object, int attempt) {
    long base = Math.min(maxBackoff.toNanos(), firstBackoff.toNanos() << Math.min(attempt - 1, 20));
    long jittered = (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble()));
    try {
      TimeUnit.NANOSECONDS.sleep(jittered);
    } catch (InterruptedException e) {
      // The writing side is stopping: not a failure of the write, and not counted as one.
      Thread.currentThread().interrupt();
      throw new StatusWriteException(
          kind.kind(),
          namespace(object),
          name(object),
          object.getMetadata().getUid(),
          "interrupted while backing off after a conflict",
          false,
          e);
    }
  }

  private StatusWriteException failure(
      StatusKind<?, ?> kind,
      HasMetadata object,
      String message,
      boolean unanswered,
      Throwable cause) {
    failures.get(kind.kind()).increment();
    return new StatusWriteException(
        kind.kind(),
        namespace(object),
        name(object),
        object.getMetadata().getUid(),
        message,
        unanswered,
        cause);
  }

  /**
   * Whether the request got no HTTP answer at all: the client reports no status code (timeouts,
   * refused sockets).
   */
  private static boolean unanswered(KubernetesClientException e) {
    return e.getCode() <= 0 && e.getStatus() == null;
  }

  private static String message(KubernetesClientException e) {
    return e.getStatus() != null && e.getStatus().getMessage() != null
        ? e.getCode() + " " + e.getStatus().getMessage()
        : e.getMessage();
  }

  /** The object's namespace; empty for a cluster-scoped object. */
  private static String namespace(HasMetadata object) {
    return Objects.requireNonNullElse(object.getMetadata().getNamespace(), "");
  }

  private static String name(HasMetadata object) {
    return object.getMetadata().getName();
  }
}
