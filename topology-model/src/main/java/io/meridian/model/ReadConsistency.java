package io.meridian.model;

/** Per-request read consistency levels, weakest first. */
public enum ReadConsistency {
  /** Served by the local replica, whatever its lag. */
  EVENTUAL("eventual"),
  /** Read-your-writes through a session token. */
  SESSION("session"),
  /** Served locally only while lag is under the dataset's staleness bound. */
  BOUNDED_STALENESS("bounded-staleness"),
  /** Read from R replicas, newest wins. */
  QUORUM("quorum"),
  /** Linearizable. */
  STRONG("strong");

  private final String fileName;

  ReadConsistency(String fileName) {
    this.fileName = fileName;
  }

  /** The spelling used in topology files. */
  public String fileName() {
    return fileName;
  }

  /** Parses the file spelling; null when unknown. */
  public static ReadConsistency fromFileName(String text) {
    for (ReadConsistency level : values()) {
      if (level.fileName.equals(text)) {
        return level;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return fileName;
  }
}
