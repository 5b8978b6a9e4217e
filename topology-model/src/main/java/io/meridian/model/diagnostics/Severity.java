package io.meridian.model.diagnostics;

/** How serious a problem is. Errors make a topology invalid; warnings and infos do not. */
public enum Severity {
  ERROR("error"),
  WARNING("warning"),
  INFO("info");

  private final String label;

  Severity(String label) {
    this.label = label;
  }

  /** The lower-case word printed in compiler-style lines. */
  public String label() {
    return label;
  }
}
