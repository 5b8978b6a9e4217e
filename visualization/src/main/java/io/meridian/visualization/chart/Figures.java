package io.meridian.visualization.chart;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Numbers with a fixed count of decimals, as {@code String.format(Locale.ROOT, "%.Nf", value)}
 * prints them, without building a {@code Formatter} each time. The analysis panel and the graph
 * print hundreds of latencies after every edit; {@code String.format} looks up decimal symbols
 * for each one, which was a tenth of the JavaFX thread's share of an edit of a 200-region design
 * (ADR 0058).
 */
public final class Figures {
  private Figures() {}

  /**
   * The value with {@code decimals} decimals, rounded half up as {@code String.format} rounds
   * (on the shortest decimal form of the double).
   *
   * @param value the number
   * @param decimals how many decimals, 0 or more
   * @return the text, equal to {@code String.format(Locale.ROOT, "%.<decimals>f", value)}
   */
  public static String fixed(double value, int decimals) {
    if (!Double.isFinite(value) || value < 0 || Double.doubleToRawLongBits(value) < 0) {
      // Negative numbers (and -0.0, which BigDecimal has no form for) are rare here: the
      // formatter's sign rules apply as they are.
      return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
    return BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).toPlainString();
  }

  /**
   * A latency with one decimal under 10 ms and none from there: {@code "4.2 ms"}, {@code
   * "88 ms"}.
   *
   * @param ms milliseconds
   * @return the text with its unit
   */
  public static String millis(double ms) {
    return fixed(ms, ms < 10 ? 1 : 0) + " ms";
  }
}
