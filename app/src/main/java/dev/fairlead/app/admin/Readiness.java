package dev.fairlead.app.admin;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * Whether this Fairlead is ready to serve, for {@code /readyz}: while it is starting, not ready;
 * once every part has started ({@link #started}), ready exactly when every condition holds — the
 * sources have synced, the first configuration is in the xDS cache. Conditions are evaluated on
 * each {@link #status} call, so the answer is current.
 *
 * <p>Thread-safe: conditions are added by the starting thread and read by the admin server's
 * threads.
 */
public final class Readiness {

  /** Why this Fairlead is not ready while it is still starting. */
  public static final String STARTING = "starting: not every part has started yet";

  private record Condition(String name, String waiting, BooleanSupplier met) {}

  /** What {@link #status} answers: ready, or the reasons it is not, each {@code name: why}. */
  public record Status(boolean ready, List<String> waitingFor) {
    public Status {
      waitingFor = List.copyOf(waitingFor);
    }
  }

  private final List<Condition> conditions = new CopyOnWriteArrayList<>();
  private volatile boolean started;

  /**
   * Adds a condition.
   *
   * @param name what it is about, e.g. {@code informers}
   * @param waiting what is awaited while it does not hold, e.g. {@code not every informer has
   *     synced yet}
   * @param met whether it holds; called from admin threads, must be cheap and thread-safe
   */
  public Readiness require(String name, String waiting, BooleanSupplier met) {
    conditions.add(
        new Condition(
            Objects.requireNonNull(name),
            Objects.requireNonNull(waiting),
            Objects.requireNonNull(met)));
    return this;
  }

  /** Every condition has been added: from now on readiness is what the conditions say. */
  public Readiness started() {
    started = true;
    return this;
  }

  public Status status() {
    if (!started) {
      return new Status(false, List.of(STARTING));
    }
    List<String> waiting = new ArrayList<>();
    for (Condition condition : conditions) {
      if (!condition.met().getAsBoolean()) {
        waiting.add(condition.name() + ": " + condition.waiting());
      }
    }
    return new Status(waiting.isEmpty(), waiting);
  }
}
