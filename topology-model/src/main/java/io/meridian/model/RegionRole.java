package io.meridian.model;

/** What a region does: hold replicas, or only vote. */
public enum RegionRole {
  /** Holds replicas of the datasets placed there. */
  DATA("data"),
  /** Votes in elections and quorums but holds no data. */
  WITNESS("witness");

  private final String fileName;

  RegionRole(String fileName) {
    this.fileName = fileName;
  }

  /** The spelling used in topology files. */
  public String fileName() {
    return fileName;
  }

  /** Parses the file spelling; null when unknown. */
  public static RegionRole fromFileName(String text) {
    for (RegionRole role : values()) {
      if (role.fileName.equals(text)) {
        return role;
      }
    }
    return null;
  }
}
