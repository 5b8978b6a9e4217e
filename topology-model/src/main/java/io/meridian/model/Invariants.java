package io.meridian.model;

/**
 * Always-on checks. Java's {@code assert} is off by default, so the model states its invariants
 * with these small helpers instead; each failure names what was wrong.
 */
public final class Invariants {
  private Invariants() {}

  /** Throws {@link IllegalArgumentException} with {@code message} unless {@code condition}. */
  public static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** Throws {@link IllegalArgumentException} with a formatted message unless {@code condition}. */
  public static void require(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, format, args));
    }
  }

  /** Returns {@code value}, or throws naming {@code what} when it is null. */
  public static <T> T notNull(T value, String what) {
    if (value == null) {
      throw new IllegalArgumentException(what + " is required");
    }
    return value;
  }

  /** Returns {@code value} when it is a finite number in [min, max], else throws naming it. */
  public static double inRange(double value, double min, double max, String what) {
    if (!Double.isFinite(value) || value < min || value > max) {
      throw new IllegalArgumentException(
          String.format(java.util.Locale.ROOT, "%s must be between %s and %s, was %s",
              what, fmt(min), fmt(max), fmt(value)));
    }
    return value;
  }

  /** Returns {@code value} when finite and at least zero, else throws naming it. */
  public static double nonNegative(double value, String what) {
    if (!Double.isFinite(value) || value < 0) {
      throw new IllegalArgumentException(what + " must be zero or more, was " + fmt(value));
    }
    return value;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}
