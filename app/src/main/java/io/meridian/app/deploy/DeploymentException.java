package io.meridian.app.deploy;

/** A deployment could not be started or stopped; the message says why and what to do. */
public final class DeploymentException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates one with a message for the person deploying. */
  public DeploymentException(String message) {
    super(message);
  }

  /** Creates one with a message and the underlying cause. */
  public DeploymentException(String message, Throwable cause) {
    super(message, cause);
  }
}
