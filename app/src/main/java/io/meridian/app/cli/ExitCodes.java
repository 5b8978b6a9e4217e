package io.meridian.app.cli;

/** The exit statuses every {@code meridian} command uses, so scripts can rely on them. */
public final class ExitCodes {
  /** The job was done; for validate, every file is valid (warnings allowed). */
  public static final int OK = 0;
  /** The job was done and found errors in the input. */
  public static final int PROBLEMS = 1;
  /** The job could not be done: a file could not be read, or the command line was wrong. */
  public static final int UNUSABLE = 2;

  private ExitCodes() {}
}
