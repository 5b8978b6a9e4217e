package io.meridian.visualization.graph;

import javafx.css.PseudoClass;

/**
 * The health an overlay gives a region or a link, on one legend shared by validation,
 * what-if and live monitoring. Each status has a CSS pseudo-class of the same name
 * ({@code :ok}, {@code :degraded}, {@code :failing}) and, in the bundled stylesheet, a shape
 * or pattern as well as a colour so that it reads without colour vision.
 */
public enum Status {
  /** Healthy or valid (green). */
  OK("ok", "OK"),
  /** Working with a problem: a warning, high lag, a slow link (orange). */
  DEGRADED("degraded", "Degraded"),
  /** Not working: an error, a failed region, a cut link (red). */
  FAILING("failing", "Failing");

  private final PseudoClass pseudoClass;
  private final String displayName;

  Status(String cssName, String displayName) {
    this.pseudoClass = PseudoClass.getPseudoClass(cssName);
    this.displayName = displayName;
  }

  /** @return the CSS pseudo-class that marks this status */
  public PseudoClass pseudoClass() {
    return pseudoClass;
  }

  /** @return the name shown in the legend */
  public String displayName() {
    return displayName;
  }
}
