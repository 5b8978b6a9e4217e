package io.meridian.agent.config;

/** When the write-ahead log is forced to disk. */
public enum FsyncPolicy {
  /**
   * Force the log before anything that depends on a write leaves the process: a client answer,
   * an acknowledgement to the primary, or a batch to a replica. Survives power loss.
   */
  PER_COMMIT,
  /**
   * Leave flushing to the operating system. Survives a killed process ({@code kill -9}) but not
   * a lost machine.
   */
  OPERATING_SYSTEM
}
