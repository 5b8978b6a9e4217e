package io.meridian.agent.core;

/**
 * Always-on checks. Java {@code assert} is off unless a flag is given, and a replication bug that
 * goes unnoticed corrupts data silently, so these stay on in production.
 */
public final class Invariants {
  private Invariants() {}

  /**
   * Throws {@link InvariantViolation} with {@code message} unless {@code condition} holds.
   *
   * @param condition what must be true
   * @param message why it must be, stated as the expectation
   */
  public static void check(boolean condition, String message) {
    if (!condition) {
      throw new InvariantViolation(message);
    }
  }

  /**
   * Like {@link #check(boolean, String)}, formatting the message only when the check fails.
   *
   * @param condition what must be true
   * @param format a {@link String#format} pattern
   * @param arguments its arguments
   */
  public static void check(boolean condition, String format, Object... arguments) {
    if (!condition) {
      throw new InvariantViolation(String.format(format, arguments));
    }
  }
}
