package io.meridian.agent.core;

/** Thrown when an invariant the code relies on does not hold: a bug, never bad user input. */
public final class InvariantViolation extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  InvariantViolation(String message) {
    super(message);
  }
}
