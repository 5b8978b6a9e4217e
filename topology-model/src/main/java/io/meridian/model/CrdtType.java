package io.meridian.model;

/** The conflict-free replicated data types a dataset can hold. */
public enum CrdtType {
  /** Grow-only counter. */
  COUNTER("counter"),
  /** Counter with increments and decrements. */
  PN_COUNTER("pn-counter"),
  /** Observed-remove set; a concurrent add wins over a remove. */
  OR_SET("or-set"),
  /** Register whose latest write (by hybrid logical clock) wins. */
  LWW_REGISTER("lww-register"),
  /** Register keeping every concurrent value. */
  MV_REGISTER("mv-register"),
  /** Map of last-writer-wins entries. */
  LWW_MAP("lww-map");

  private final String fileName;

  CrdtType(String fileName) {
    this.fileName = fileName;
  }

  /** The spelling used in topology files. */
  public String fileName() {
    return fileName;
  }

  /** Parses the file spelling; null when unknown. */
  public static CrdtType fromFileName(String text) {
    for (CrdtType type : values()) {
      if (type.fileName.equals(text)) {
        return type;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return fileName;
  }
}
