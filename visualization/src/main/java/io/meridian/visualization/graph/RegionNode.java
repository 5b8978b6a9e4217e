package io.meridian.visualization.graph;

import io.meridian.model.Region;
import javafx.beans.value.ObservableDoubleValue;
import javafx.css.PseudoClass;
import javafx.scene.AccessibleRole;
import javafx.scene.Node;
import javafx.scene.control.Label;

/**
 * The marker of one region, centred on its own origin so the skin places it by setting
 * {@code layoutX/layoutY} to the region's screen point. Style class {@code region-node};
 * its parts are {@code .region-marker}, {@code .region-ring} (status ring), {@code
 * .pulse-ring}, {@code .status-mark}, {@code .region-label}, {@code .jurisdiction-badge} and
 * {@code .overlay-badge}.
 */
final class RegionNode extends javafx.scene.layout.Region {

  static final PseudoClass DATA = PseudoClass.getPseudoClass("data");
  static final PseudoClass WITNESS = PseudoClass.getPseudoClass("witness");
  static final PseudoClass SELECTED = PseudoClass.getPseudoClass("selected");
  static final PseudoClass DIMMED = PseudoClass.getPseudoClass("dimmed");
  static final PseudoClass PULSING = PseudoClass.getPseudoClass("pulsing");

  private static final double LABEL_GAP_PX = 3;
  private static final double BADGE_GAP_PX = 2;

  private final javafx.scene.layout.Region pulseRing = part("pulse-ring");
  private final javafx.scene.layout.Region ring = part("region-ring");
  private final javafx.scene.layout.Region marker = part("region-marker");
  private final Label statusMark = label("status-mark", "!");
  private final Label name = label("region-label", "");
  private final Label jurisdiction = label("jurisdiction-badge", "");
  private final Label badge = label("overlay-badge", "");
  private Region region;
  private RegionOverlay overlay = RegionOverlay.NONE;
  private boolean pulsing;

  RegionNode() {
    getStyleClass().add("region-node");
    setManaged(false);
    setPickOnBounds(false);
    pulseRing.setVisible(false);
    pulseRing.setMouseTransparent(true);
    ring.setMouseTransparent(true);
    badge.setVisible(false);
    getChildren().addAll(pulseRing, ring, marker, statusMark, name, jurisdiction, badge);
    setAccessibleRole(AccessibleRole.NODE);
  }

  Region region() {
    return region;
  }

  void show(Region newRegion) {
    region = newRegion;
    name.setText(newRegion.displayName());
    jurisdiction.setText(newRegion.jurisdiction().code());
    pseudoClassStateChanged(WITNESS, newRegion.isWitness());
    pseudoClassStateChanged(DATA, !newRegion.isWitness());
    describe();
  }

  void apply(RegionOverlay newOverlay, boolean selected, ObservableDoubleValue pulsePhase) {
    overlay = newOverlay == null ? RegionOverlay.NONE : newOverlay;
    for (Status status : Status.values()) {
      pseudoClassStateChanged(status.pseudoClass(), overlay.status() == status);
    }
    pseudoClassStateChanged(SELECTED, selected);
    pseudoClassStateChanged(DIMMED, overlay.dimmed());
    boolean hasBadge = overlay.badge() != null && !overlay.badge().isEmpty();
    badge.setText(hasBadge ? overlay.badge() : "");
    badge.setVisible(hasBadge);
    setPulsing(overlay.pulse(), pulsePhase);
    describe();
  }

  /** @return the name label's width as laid out, for decluttering */
  double labelWidth() {
    return name.prefWidth(-1);
  }

  /** @return the name label's height as laid out, for decluttering */
  double labelHeight() {
    return name.prefHeight(-1);
  }

  /** @return the distance from the marker's centre to the top of the name label */
  double labelOffsetY() {
    return marker.prefHeight(-1) / 2 + LABEL_GAP_PX;
  }

  /** @return half the marker's size, for decluttering */
  double markerHalfSize() {
    return Math.max(marker.prefWidth(-1), marker.prefHeight(-1)) / 2;
  }

  /** @return the current overlay, never {@code null} */
  RegionOverlay overlay() {
    return overlay;
  }

  /** @return the jurisdiction badge's left edge relative to the marker's centre */
  double jurisdictionLeft() {
    return marker.prefWidth(-1) / 2 + BADGE_GAP_PX;
  }

  /** @return the jurisdiction badge's top edge relative to the marker's centre */
  double jurisdictionTop() {
    return -marker.prefHeight(-1) / 2 - jurisdiction.prefHeight(-1) + 4;
  }

  /** @return the jurisdiction badge's width, including room for a status mark before it */
  double jurisdictionWidth() {
    return jurisdiction.prefWidth(-1) + (statusMark.isVisible() ? statusMark.prefWidth(-1) + 2 : 0);
  }

  /** @return the jurisdiction badge's height */
  double jurisdictionHeight() {
    return jurisdiction.prefHeight(-1);
  }

  void setJurisdictionShown(boolean shown) {
    if (jurisdiction.isVisible() != shown) {
      jurisdiction.setVisible(shown);
    }
  }

  void setLabelShown(boolean shown) {
    if (name.isVisible() != shown) {
      name.setVisible(shown);
    }
  }

  boolean isPulsing() {
    return pulsing;
  }

  private void setPulsing(boolean value, ObservableDoubleValue phase) {
    if (value == pulsing) {
      return;
    }
    pulsing = value;
    pseudoClassStateChanged(PULSING, value);
    pulseRing.setVisible(value);
    if (value) {
      pulseRing.scaleXProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
          () -> 1 + phase.get(), phase));
      pulseRing.scaleYProperty().bind(pulseRing.scaleXProperty());
      pulseRing.opacityProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
          () -> 1 - phase.get(), phase));
    } else {
      pulseRing.scaleXProperty().unbind();
      pulseRing.scaleYProperty().unbind();
      pulseRing.opacityProperty().unbind();
    }
  }

  private void describe() {
    if (region == null) {
      return;
    }
    StringBuilder text = new StringBuilder(region.isWitness() ? "Witness " : "Region ")
        .append(region.displayName()).append(", ").append(region.jurisdiction().code());
    if (overlay.status() != null) {
      text.append(", ").append(overlay.status().displayName().toLowerCase(java.util.Locale.ROOT));
    }
    setAccessibleText(text.toString());
  }

  @Override
  protected void layoutChildren() {
    centre(pulseRing);
    centre(ring);
    centre(marker);
    double markerHalfWidth = marker.getWidth() / 2;
    double markerHalfHeight = marker.getHeight() / 2;
    place(statusMark, markerHalfWidth + BADGE_GAP_PX, -markerHalfHeight - 4);
    name.autosize();
    name.relocate(-name.getWidth() / 2, markerHalfHeight + LABEL_GAP_PX);
    jurisdiction.autosize();
    jurisdiction.relocate(markerHalfWidth + BADGE_GAP_PX,
        -markerHalfHeight - jurisdiction.getHeight() + 4);
    if (statusMark.isVisible()) {
      jurisdiction.relocate(markerHalfWidth + BADGE_GAP_PX + statusMark.getWidth() + 2,
          jurisdiction.getLayoutY());
    }
    badge.autosize();
    badge.relocate(-markerHalfWidth - BADGE_GAP_PX - badge.getWidth(),
        -markerHalfHeight - badge.getHeight() + 4);
  }

  private static void centre(javafx.scene.layout.Region part) {
    part.autosize();
    part.relocate(-part.getWidth() / 2, -part.getHeight() / 2);
  }

  private static void place(Node node, double x, double y) {
    node.autosize();
    node.relocate(x, y);
  }

  private static javafx.scene.layout.Region part(String styleClass) {
    javafx.scene.layout.Region part = new javafx.scene.layout.Region();
    part.getStyleClass().add(styleClass);
    return part;
  }

  private static Label label(String styleClass, String text) {
    Label label = new Label(text);
    label.getStyleClass().add(styleClass);
    label.setMouseTransparent(!styleClass.equals("region-label"));
    return label;
  }
}
