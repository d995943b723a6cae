package dev.fairlead.reporter;

import dev.fairlead.api.state.GatewayController;
import dev.fairlead.api.verdict.Verdict;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClass;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GatewayClassStatus;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A GatewayClass's status as the Gateway API defines it, for the classes naming Fairlead's
 * controller: conditions {@code Accepted} (the verdict's: {@code Accepted}, or {@code
 * InvalidParameters}) and {@code SupportedVersion} (from the {@link GatewayApiVersion} of the CRDs
 * installed), both with the class's {@code observedGeneration}. {@code status.supportedFeatures} is
 * kept as it is.
 *
 * <p>A class naming another controller is never written, whatever the report says: its status is
 * that controller's.
 *
 * <p>Thread-safe; the version of the CRDs is read once, then {@link #desired} is pure given its
 * arguments.
 */
final class GatewayClassStatusKind implements StatusKind<GatewayClass, GatewayClassStatus> {

  static final String SUPPORTED_VERSION = "SupportedVersion";

  private final Supplier<GatewayApiVersion> read;

  /** The version read, once; null until the first class of Fairlead's is reconciled. */
  private volatile GatewayApiVersion version;

  /**
   * @param read reads the version of the CRDs installed; called once, on the first reconcile of a
   *     class of Fairlead's (a worker thread: never the thread that starts the writing side, which
   *     elections must not wait on)
   */
  GatewayClassStatusKind(Supplier<GatewayApiVersion> read) {
    this.read = Objects.requireNonNull(read, "read");
  }

  private GatewayApiVersion version() {
    GatewayApiVersion known = version;
    if (known == null) {
      synchronized (this) {
        if (version == null) {
          version = Objects.requireNonNull(read.get(), "version");
        }
        known = version;
      }
    }
    return known;
  }

  @Override
  public String kind() {
    return ReportIndex.GATEWAY_CLASS;
  }

  @Override
  public Class<GatewayClass> type() {
    return GatewayClass.class;
  }

  @Override
  public Optional<GatewayClassStatus> desired(
      ObjectReport report, GatewayClass current, Instant now) {
    List<Verdict> verdicts = report.verdictsFor(current.getMetadata().getUid());
    if (verdicts.isEmpty() || !GatewayController.owns(current)) {
      return Optional.empty();
    }
    Verdict verdict = verdicts.get(0);
    long generation = verdict.object().generation();
    GatewayClassStatus existing =
        current.getStatus() == null ? new GatewayClassStatus() : current.getStatus();
    List<Condition> before = Conditions.orEmpty(existing.getConditions());
    GatewayApiVersion version = version();
    return Optional.of(
        new GatewayClassStatus(
            List.of(
                Conditions.fromVerdict(
                    Conditions.ACCEPTED, verdict.accepted(), generation, before, now),
                Conditions.condition(
                    SUPPORTED_VERSION,
                    version.supported(),
                    version.supported() ? "SupportedVersion" : "UnsupportedVersion",
                    version.message(),
                    generation,
                    before,
                    now)),
            existing.getSupportedFeatures()));
  }

  @Override
  public GatewayClassStatus status(GatewayClass object) {
    return object.getStatus();
  }

  @Override
  public GatewayClassStatus comparable(GatewayClassStatus status) {
    return status == null
        ? null
        : new GatewayClassStatus(
            Conditions.withoutTransitionTimes(status.getConditions()),
            status.getSupportedFeatures());
  }

  @Override
  public GatewayClass withStatus(GatewayClass object, GatewayClassStatus status) {
    return new GatewayClassBuilder()
        .withMetadata(StatusKind.identity(object))
        .withStatus(status)
        .build();
  }
}
