package dev.fairlead.api.log;

import java.util.Locale;

/**
 * Text that came from outside — a proxy's node id, a NACK's error detail, a field of a request —
 * made safe to put into a log line or an error message: the characters that could forge a line or
 * restyle a terminal are written as {@code \\uXXXX} escapes, so one logged line stays one line and
 * reads as it was sent, and the text is cut after a limit, an ellipsis marking the cut.
 *
 * <p>Escaped: the C0 and C1 control characters (NUL, CR, LF, ESC, NEL, ...), the line and paragraph
 * separators U+2028 and U+2029, and the bidirectional embedding, override and isolate controls
 * (U+202A–U+202E, U+2066–U+2069), which can make a line display in another order than it reads.
 * Everything else, other scripts and emoji included, shows unchanged. Written here because that set
 * is this project's: the JDK has no such escaper, and Commons Text's {@code escapeJava} also
 * escapes every non-ASCII character.
 */
public final class Shown {

  private Shown() {}

  /**
   * {@code text} with the characters named above escaped, cut after {@code limit} of its characters
   * (never inside a surrogate pair) with {@code …} where it was cut.
   */
  public static String shown(String text, int limit) {
    StringBuilder out = new StringBuilder(Math.min(text.length(), limit) + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (i >= limit && !(Character.isLowSurrogate(c) && i == limit)) {
        return out.append('…').toString();
      }
      if (escaped(c)) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** The index of the first character of {@code text} that {@link #shown} escapes, or -1. */
  public static int firstEscaped(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (escaped(text.charAt(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@link #shown} escapes {@code c}. */
  public static boolean escaped(char c) {
    return Character.isISOControl(c)
        || c == '\u2028'
        || c == '\u2029'
        || (c >= '\u202a' && c <= '\u202e')
        || (c >= '\u2066' && c <= '\u2069');
  }
}
