package dev.fairlead.xds.translate;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A duration written the way the Upstream API takes it: Go syntax restricted to number+unit pairs
 * with units {@code ms}, {@code s}, {@code m} and {@code h} ({@code 250ms}, {@code 5s}, {@code
 * 1m30s}, {@code 1.5h}), the same pattern the CRD schema enforces. Exact to the nanosecond;
 * fractions of a nanosecond are dropped.
 *
 * @param nanos the length; {@link Long#MAX_VALUE} stands for anything longer
 */
record GoDuration(long nanos) {

  static final GoDuration ONE_HOUR = new GoDuration(3_600_000_000_000L);

  private static final Pattern WHOLE = Pattern.compile("([0-9]+(\\.[0-9]+)?(ms|s|m|h))+");
  private static final Pattern PAIR = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h)");
  private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);

  /** The duration {@code text} spells, or empty when it is not in the accepted syntax. */
  static Optional<GoDuration> parse(String text) {
    if (text == null || !WHOLE.matcher(text).matches()) {
      return Optional.empty();
    }
    BigDecimal total = BigDecimal.ZERO;
    Matcher pair = PAIR.matcher(text);
    while (pair.find()) {
      total = total.add(new BigDecimal(pair.group(1)).multiply(nanosPer(pair.group(2))));
    }
    BigInteger whole = total.toBigInteger();
    return Optional.of(
        new GoDuration(whole.compareTo(MAX) > 0 ? Long.MAX_VALUE : whole.longValueExact()));
  }

  private static BigDecimal nanosPer(String unit) {
    return switch (unit) {
      case "ms" -> BigDecimal.valueOf(1_000_000L);
      case "s" -> BigDecimal.valueOf(1_000_000_000L);
      case "m" -> BigDecimal.valueOf(60_000_000_000L);
      case "h" -> BigDecimal.valueOf(3_600_000_000_000L);
      default -> throw new IllegalArgumentException("unit " + unit);
    };
  }

  static GoDuration ofSeconds(long seconds) {
    return new GoDuration(seconds * 1_000_000_000L);
  }

  boolean isLongerThan(GoDuration other) {
    return nanos > other.nanos;
  }

  com.google.protobuf.Duration toProto() {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(nanos / 1_000_000_000L)
        .setNanos((int) (nanos % 1_000_000_000L))
        .build();
  }
}
