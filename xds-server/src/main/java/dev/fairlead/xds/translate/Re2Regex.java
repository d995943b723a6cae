package dev.fairlead.xds.translate;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Optional;

/**
 * Checks a {@code RegularExpression} value of a route match before Envoy sees it: Envoy compiles
 * every {@code safe_regex} with Google's RE2 and rejects the whole route table (keeping the last
 * one it accepted) when one pattern does not compile or its RE2 program is larger than the runtime
 * limit {@code re2.max_program_size.error_level} (default {@value #ENVOY_MAX_PROGRAM_SIZE}). gRPC's
 * xDS client, which shares the route tables, compiles the same patterns with re2j.
 *
 * <p>The syntax is checked by re2j, the RE2 implementation for Java (the same engine gRPC uses; its
 * syntax is RE2's, so Perl-only constructs such as back-references and look-arounds are refused).
 * Envoy's RE2 reads a pattern as Latin-1 (Envoy 1.40 refuses {@code \x{263a}} as an invalid escape,
 * and sizes {@code .} and {@code \p{L}} as Latin-1 classes), so a {@code \x{…}} escape beyond
 * {@code FF} is refused here too.
 *
 * <p>re2j offers no public measure of a program's size, so {@link #programSize} reads its compiled
 * program (package-private in re2j, read reflectively; {@code Re2RegexTest} pins the numbers, so a
 * re2j release that changes them fails the build rather than going unnoticed) and weighs its
 * instructions as C++ RE2 compiles them in Latin-1: one per byte range a character class keeps
 * below {@code 0x100}, two for {@code .}, one for anything else, plus RE2's two of overhead.
 * Measured against Envoy 1.40 (its warning names each program's size), that is exact for patterns
 * of ASCII literals and classes, counted repetitions included, and errs upwards for case-folded
 * classes; Re2RegexTest holds the measured pairs.
 *
 * <p>Stateless and thread-safe.
 */
final class Re2Regex {

  /** Envoy's default {@code re2.max_program_size.error_level}. */
  static final int ENVOY_MAX_PROGRAM_SIZE = 100;

  /**
   * The longest pattern accepted at all, before compiling it; the Gateway API CRDs allow 1024
   * characters.
   */
  static final int MAX_LENGTH = 1024;

  /** The instructions C++ RE2's program has beyond re2j's: its unanchored-search loop. */
  private static final int RE2_OVERHEAD = 2;

  /** The byte ranges of any character but newline, in Latin-1. */
  private static final int ANY_BUT_NEWLINE_WEIGHT = 2;

  private static final int LATIN1_MAX = 0xff;

  /** A {@code \x{…}} escape, not itself escaped (preceded by an even number of backslashes). */
  private static final java.util.regex.Pattern HEX_ESCAPE =
      java.util.regex.Pattern.compile("(?<!\\\\)(?:\\\\\\\\)*\\\\x\\{([0-9A-Fa-f]+)\\}");

  private static final Field PATTERN_RE2;
  private static final Field RE2_PROG;
  private static final Method PROG_NUM_INST;
  private static final Method PROG_GET_INST;
  private static final Field INST_OP;
  private static final Field INST_RUNES;
  private static final int RUNE;
  private static final int RUNE_ANY_NOT_NL;

  static {
    try {
      PATTERN_RE2 = accessible(Pattern.class.getDeclaredField("re2"));
      Class<?> re2 = Class.forName("com.google.re2j.RE2");
      RE2_PROG = accessible(re2.getDeclaredField("prog"));
      Class<?> prog = Class.forName("com.google.re2j.Prog");
      PROG_NUM_INST = accessible(prog.getDeclaredMethod("numInst"));
      PROG_GET_INST = accessible(prog.getDeclaredMethod("getInst", int.class));
      Class<?> inst = Class.forName("com.google.re2j.Inst");
      INST_OP = accessible(inst.getDeclaredField("op"));
      INST_RUNES = accessible(inst.getDeclaredField("runes"));
      RUNE = accessible(inst.getField("RUNE")).getInt(null);
      RUNE_ANY_NOT_NL = accessible(inst.getField("RUNE_ANY_NOT_NL")).getInt(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "re2j's compiled program is not where this class reads it: " + e);
    }
  }

  private Re2Regex() {}

  /** What is wrong with {@code regex} as an Envoy {@code safe_regex}, if anything. */
  static Optional<String> problem(String regex) {
    if (regex == null || regex.isEmpty()) {
      return Optional.of("a regular expression is required");
    }
    if (regex.length() > MAX_LENGTH) {
      return Optional.of("must be at most " + MAX_LENGTH + " characters");
    }
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      return Optional.of(
          "not a valid RE2 regular expression: " + e.getDescription() + " in \"" + regex + "\"");
    }
    java.util.regex.Matcher escape = HEX_ESCAPE.matcher(regex);
    while (escape.find()) {
      String hex = escape.group(1).replaceFirst("^0+(?=.)", "");
      if (hex.length() > 2) {
        return Optional.of(
            "\\x{"
                + escape.group(1)
                + "} is beyond Latin-1, which Envoy's RE2 reads patterns as; "
                + "write the character itself");
      }
    }
    int size = programSize(pattern);
    if (size > ENVOY_MAX_PROGRAM_SIZE) {
      return Optional.of(
          "the regular expression is too complex for Envoy: its RE2 program size is about "
              + size
              + ", the limit is "
              + ENVOY_MAX_PROGRAM_SIZE
              + " (simplify it, e.g. fewer counted repetitions or "
              + "character classes beyond ASCII)");
    }
    return Optional.empty();
  }

  /**
   * The estimated size of the C++ RE2 program for {@code pattern}, compiled by re2j (see the class
   * comment).
   */
  static int programSize(Pattern pattern) {
    try {
      Object prog = RE2_PROG.get(PATTERN_RE2.get(pattern));
      int count = (int) PROG_NUM_INST.invoke(prog);
      int size = RE2_OVERHEAD;
      for (int i = 0; i < count; i++) {
        Object inst = PROG_GET_INST.invoke(prog, i);
        size += weight(INST_OP.getInt(inst), (int[]) INST_RUNES.get(inst));
      }
      return size;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read re2j's compiled program", e);
    }
  }

  private static int weight(int op, int[] runes) {
    if (op == RUNE_ANY_NOT_NL) {
      return ANY_BUT_NEWLINE_WEIGHT;
    }
    if (op == RUNE && runes != null && runes.length > 2) {
      // Ranges as pairs (lo, hi): one byte-range instruction per range that keeps some of Latin-1.
      int ranges = 0;
      for (int r = 0; r + 1 < runes.length; r += 2) {
        if (runes[r] <= LATIN1_MAX) {
          ranges++;
        }
      }
      return Math.max(1, ranges);
    }
    return 1;
  }

  private static <T extends java.lang.reflect.AccessibleObject> T accessible(T member) {
    member.setAccessible(true);
    return member;
  }
}
