package dev.fairlead.testkit;

import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;

/**
 * Runs the suites that use a {@link RealCluster} after all others, keeping the default order within
 * each group. The real node, once up, stays up until the test run ends: started last, it adds no
 * load to the suites that measure timings. Register it in {@code
 * src/test/resources/junit-platform.properties}: {@code
 * junit.jupiter.testclass.order.default=dev.fairlead.testkit.RealClusterSuitesLast}.
 */
public final class RealClusterSuitesLast implements ClassOrderer {

  @Override
  public void orderClasses(ClassOrdererContext context) {
    context
        .getClassDescriptors()
        .sort(Comparator.comparing(descriptor -> usesRealCluster(descriptor.getTestClass())));
  }

  static boolean usesRealCluster(Class<?> testClass) {
    for (Class<?> c = testClass; c != null; c = c.getSuperclass()) {
      if (Arrays.stream(c.getDeclaredFields())
          .anyMatch(
              f ->
                  Modifier.isStatic(f.getModifiers())
                      && RealCluster.class.isAssignableFrom(f.getType()))) {
        return true;
      }
    }
    return false;
  }
}
