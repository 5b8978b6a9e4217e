package io.meridian.agent.wire;

/** A message from the wire or the disk that cannot be translated into a core value. */
public final class MalformedMessageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A message saying what is malformed. */
  public MalformedMessageException(String message) {
    super(message);
  }

  /** A message saying what is malformed, with the check that failed. */
  public MalformedMessageException(String message, Throwable cause) {
    super(message, cause);
  }
}
