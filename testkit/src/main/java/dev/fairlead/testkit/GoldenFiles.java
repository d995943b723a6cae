package dev.fairlead.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.opentest4j.AssertionFailedError;

/**
 * Golden files: output a test compares with a recorded file. After a deliberate change, run the
 * test with {@code -Dfairlead.golden.update=true} to re-record the files instead of comparing, then
 * review the diff.
 */
public final class GoldenFiles {

  public static final String UPDATE_PROPERTY = "fairlead.golden.update";

  private GoldenFiles() {}

  /** Whether this run re-records golden files instead of comparing with them. */
  public static boolean updating() {
    return Boolean.getBoolean(UPDATE_PROPERTY);
  }

  /**
   * Fails unless {@code actual} is exactly the content of {@code recorded}; when re-recording,
   * writes it there instead.
   *
   * @param what what the output is, for the failure message
   */
  public static void check(Path recorded, String actual, String what) throws IOException {
    if (updating()) {
      Files.createDirectories(recorded.getParent());
      Files.writeString(recorded, actual);
      return;
    }
    if (!Files.isRegularFile(recorded)) {
      throw new AssertionFailedError(
          recorded + " is not recorded yet: run with -D" + UPDATE_PROPERTY + "=true to create it");
    }
    String expected = Files.readString(recorded);
    if (!expected.equals(actual)) {
      throw new AssertionFailedError(
          what
              + " differs from "
              + recorded
              + firstDifference(expected, actual)
              + " (run with -D"
              + UPDATE_PROPERTY
              + "=true to re-record, then review the diff)",
          expected,
          actual);
    }
  }

  private static String firstDifference(String expected, String actual) {
    List<String> want = expected.lines().toList();
    List<String> got = actual.lines().toList();
    for (int i = 0; i < Math.max(want.size(), got.size()); i++) {
      String w = i < want.size() ? want.get(i) : "<end>";
      String g = i < got.size() ? got.get(i) : "<end>";
      if (!w.equals(g)) {
        return ", first at line " + (i + 1) + ": recorded '" + w + "', got '" + g + "'";
      }
    }
    return ", in line endings";
  }
}
