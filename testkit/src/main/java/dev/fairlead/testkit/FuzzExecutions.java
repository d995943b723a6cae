package dev.fairlead.testkit;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Counts the inputs a fuzz target ran and prints {@code fuzz executions: <class> <count>} on
 * standard output when its class is done, which Surefire keeps in the class's report: how {@code
 * scripts/fuzz.sh} tells how many inputs each round tried. The fuzzer's own statistics go to the
 * test JVM's native standard error, which Surefire does not keep.
 *
 * <pre>{@code
 * @RegisterExtension static final FuzzExecutions EXECUTIONS = new FuzzExecutions();
 *
 * @FuzzTest void target(FuzzedDataProvider data) {
 *   EXECUTIONS.count();
 *   ...
 * }
 * }</pre>
 */
public final class FuzzExecutions implements AfterAllCallback {

  /** What the line begins with. */
  public static final String PREFIX = "fuzz executions: ";

  private final AtomicLong count = new AtomicLong();

  /** One more input ran. */
  public void count() {
    count.incrementAndGet();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    System.out.println(PREFIX + context.getRequiredTestClass().getSimpleName() + " " + count.get());
  }
}
