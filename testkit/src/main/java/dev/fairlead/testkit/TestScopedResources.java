package dev.fairlead.testkit;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Closes what a test started, at the end of the scope it was started in: resources started inside a
 * test method are closed after that method, those started in {@code @BeforeAll} after the class. A
 * JVM shutdown hook closes whatever is still open if the run ends abruptly, so no process outlives
 * the test JVM.
 *
 * <p>Thread-safe: resources may be started from any thread.
 */
abstract class TestScopedResources<T extends AutoCloseable>
    implements BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  private static final Set<AutoCloseable> OPEN = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> OPEN.forEach(TestScopedResources::closeQuietly), "fairlead-testkit-cleanup"));
  }

  private final Deque<T> classScoped = new ConcurrentLinkedDeque<>();
  private final Deque<T> methodScoped = new ConcurrentLinkedDeque<>();
  private volatile boolean inTestMethod;

  /** Registers a started resource in the current scope and returns it. */
  protected T track(T resource) {
    OPEN.add(resource);
    (inTestMethod ? methodScoped : classScoped).push(resource);
    return resource;
  }

  /** Everything started and not yet closed, newest first. */
  protected List<T> open() {
    List<T> all = new ArrayList<>(methodScoped);
    all.addAll(classScoped);
    return all;
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    inTestMethod = true;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    inTestMethod = false;
    closeAll(methodScoped);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    closeAll(classScoped);
  }

  private void closeAll(Deque<T> resources) {
    T resource;
    while ((resource = resources.poll()) != null) {
      closeQuietly(resource);
      OPEN.remove(resource);
    }
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      System.err.println("Could not close " + resource + ": " + e);
    }
  }
}
