package io.meridian.app.studio;

/** What a click on the map does. */
public enum Tool {
  /** Select a region or link to see and edit its properties. */
  SELECT("Select"),
  /** Add a custom region where the map is clicked. */
  ADD_REGION("Add region on map"),
  /** Click two regions to link them with the catalogue's default RTT. */
  LINK("Link two regions"),
  /** Click regions or links to fail them and see who can still write and read. */
  WHAT_IF("What-if: fail");

  private final String label;

  Tool(String label) {
    this.label = label;
  }

  /** The tool's name on its button. */
  public String label() {
    return label;
  }
}
