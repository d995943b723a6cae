package dev.fairlead.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lists that steer the official Gateway API conformance suite ({@code conformance/} at the
 * repository's root) and what its test binary printed. Pure: text in, values out.
 *
 * <ul>
 *   <li>{@code supported-features.txt}: one feature name a line, exactly what Fairlead implements;
 *       passed as {@code -supported-features}.
 *   <li>{@code skip-tests.txt}: one test a line, its short name (as the suite names it) then, after
 *       white space, why it fails on Fairlead; passed as {@code -skip-tests}. A test without a
 *       reason is refused, so every entry says what is missing.
 * </ul>
 *
 * <p>In both, {@code #} starts a comment and blank lines are ignored.
 */
final class ConformanceLists {

  /**
   * A {@code go test -v} result line of one conformance test: {@code --- PASS: TestConformance/Name
   * (1.02s)}.
   */
  private static final Pattern RESULT =
      Pattern.compile("^\\s*--- (PASS|FAIL|SKIP): TestConformance/([A-Za-z0-9_-]+) \\(");

  private ConformanceLists() {}

  /** The outcome of one conformance test in a run of the binary. */
  enum Outcome {
    PASS,
    FAIL,
    SKIP
  }

  static List<String> supportedFeatures(Path file) {
    List<String> features = new ArrayList<>();
    List<String> lines = lines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.contains(" ") || line.contains("\t") || line.contains(",")) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": one feature name a line, got '" + line + "'");
      }
      if (!line.isEmpty()) {
        features.add(line);
      }
    }
    return features;
  }

  /** Each test on the skip list with its reason, in the file's order. */
  static LinkedHashMap<String, String> skipTests(Path file) {
    LinkedHashMap<String, String> tests = new LinkedHashMap<>();
    List<String> lines = lines(file);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isEmpty()) {
        continue;
      }
      String[] parts = line.split("\\s+", 2);
      if (parts.length < 2 || parts[1].isBlank()) {
        throw new IllegalArgumentException(
            file
                + ":"
                + (i + 1)
                + ": '"
                + parts[0]
                + "' has no reason: write the test's name, then why it fails (the missing feature)");
      }
      if (tests.put(parts[0], parts[1].strip()) != null) {
        throw new IllegalArgumentException(
            file + ":" + (i + 1) + ": '" + parts[0] + "' is listed twice");
      }
    }
    return tests;
  }

  /**
   * Every conformance test the output of {@code conformance.test -test.v} reports, with its
   * outcome.
   */
  static Map<String, Outcome> outcomes(String output) {
    Map<String, Outcome> outcomes = new LinkedHashMap<>();
    for (String line : output.split("\n", -1)) {
      Matcher m = RESULT.matcher(line);
      if (m.find()) {
        outcomes.put(m.group(2), Outcome.valueOf(m.group(1)));
      }
    }
    return outcomes;
  }

  /**
   * The file's lines with comments and surrounding white space removed (blank lines kept, as empty
   * strings).
   */
  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file).stream()
          .map(
              l -> {
                int hash = l.indexOf('#');
                return (hash < 0 ? l : l.substring(0, hash)).strip();
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file, e);
    }
  }
}
