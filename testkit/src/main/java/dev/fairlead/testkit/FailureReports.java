package dev.fairlead.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Where diagnostics of a failed test go: {@code <module>/target/failure-reports/<class>/<method>}.
 * Suites with diagnostics of their own (the conformance suite's objects and proxies) write them
 * there too.
 */
public final class FailureReports {

  private FailureReports() {}

  /**
   * The directory of the test (or class, for callbacks outside a method) of {@code context}; not
   * created.
   */
  public static Path directoryFor(ExtensionContext context) {
    String basedir = System.getProperty("basedir", System.getProperty("user.dir"));
    String testClass = context.getRequiredTestClass().getSimpleName();
    // The unique-id hash tells parameterized invocations of one method apart.
    String method =
        context.getTestMethod().map(m -> m.getName()).orElse("class")
            + "-"
            + Integer.toHexString(context.getUniqueId().hashCode());
    return Path.of(
        basedir, "target", "failure-reports", testClass, method.replaceAll("[^A-Za-z0-9_.-]", "_"));
  }
}
