package io.meridian.agent.storage.rocksdb;

/** The storage engine failed; the message says what and where. */
public final class StorageException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** A failure with its cause. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}
