package io.meridian.app.studio;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import java.util.HashMap;
import java.util.Map;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.layout.Pane;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.TextAlignment;

/**
 * A stand-in for the topology graph: regions drawn at their longitude and latitude on a plain
 * equirectangular grid, links as straight lines labelled with their round-trip time. The
 * visualization module's world-map control replaces it; it is kept deliberately small.
 */
final class TopologySketch extends Pane {
  private static final double PADDING = 24;
  private static final double REGION_RADIUS = 6;
  /** Above this many links, round-trip labels would cover the map, so none are drawn. */
  private static final int LINK_LABELS_MAX = 12;

  private final Canvas canvas = new Canvas();
  private final ObjectProperty<Topology> topology = new SimpleObjectProperty<>();
  private final BooleanProperty dark = new SimpleBooleanProperty();
  private final StringProperty message = new SimpleStringProperty("");

  TopologySketch() {
    getChildren().add(canvas);
    topology.addListener((observable, old, now) -> draw());
    dark.addListener((observable, old, now) -> draw());
    message.addListener((observable, old, now) -> draw());
  }

  StringProperty messageProperty() {
    return message;
  }

  ObjectProperty<Topology> topologyProperty() {
    return topology;
  }

  BooleanProperty darkProperty() {
    return dark;
  }

  @Override
  protected void layoutChildren() {
    if (canvas.getWidth() != getWidth() || canvas.getHeight() != getHeight()) {
      canvas.setWidth(getWidth());
      canvas.setHeight(getHeight());
      draw();
    }
  }

  /**
   * Where a point lands on a 2:1 map centred in a {@code width} by {@code height} area.
   * Package-private so the projection is tested without a canvas.
   */
  static Point2D project(double latitude, double longitude, double width, double height) {
    double mapWidth = Math.max(1, Math.min(width - 2 * PADDING, 2 * (height - 2 * PADDING)));
    double mapHeight = mapWidth / 2;
    double left = (width - mapWidth) / 2;
    double top = (height - mapHeight) / 2;
    return new Point2D(left + (longitude + 180) / 360 * mapWidth,
        top + (90 - latitude) / 180 * mapHeight);
  }

  private void draw() {
    double width = canvas.getWidth();
    double height = canvas.getHeight();
    GraphicsContext g = canvas.getGraphicsContext2D();
    boolean night = dark.get();
    g.setFill(night ? Color.web("#0d1117") : Color.web("#f6f8fa"));
    g.fillRect(0, 0, width, height);
    if (width < 4 * PADDING || height < 4 * PADDING) {
      return;
    }
    Point2D topLeft = project(90, -180, width, height);
    Point2D bottomRight = project(-90, 180, width, height);
    g.setFill(night ? Color.web("#161b22") : Color.web("#e7eef7"));
    g.fillRect(topLeft.getX(), topLeft.getY(), bottomRight.getX() - topLeft.getX(),
        bottomRight.getY() - topLeft.getY());
    drawGraticule(g, night);
    Topology design = topology.get();
    if (design == null || design.regions().isEmpty()) {
      g.setFill(night ? Color.web("#8b949e") : Color.web("#57606a"));
      g.setFont(Font.font(16));
      g.setTextAlign(TextAlignment.CENTER);
      g.setTextBaseline(VPos.CENTER);
      g.fillText(message.get(), width / 2, height / 2);
      return;
    }
    Map<RegionId, Point2D> places = new HashMap<>();
    for (Region region : design.regions()) {
      places.put(region.id(), project(region.latitude(), region.longitude(), width, height));
    }
    g.setFont(Font.font(12));
    g.setTextAlign(TextAlignment.CENTER);
    g.setTextBaseline(VPos.BOTTOM);
    for (Link link : design.links()) {
      Point2D a = places.get(link.a());
      Point2D b = places.get(link.b());
      if (a == null || b == null) {
        continue; // A dangling link is reported in the problems panel; there is nothing to draw.
      }
      g.setStroke(link.encrypted() ? Color.web("#2f81f7") : Color.web("#d29922"));
      g.setLineWidth(2);
      g.setLineDashes(link.encrypted() ? null : new double[] {6, 4});
      g.strokeLine(a.getX(), a.getY(), b.getX(), b.getY());
      if (design.links().size() > LINK_LABELS_MAX) {
        continue;
      }
      g.setFill(night ? Color.web("#c9d1d9") : Color.web("#24292f"));
      g.fillText(Math.round(link.rttMs()) + " ms", (a.getX() + b.getX()) / 2,
          (a.getY() + b.getY()) / 2 - 4);
    }
    g.setLineDashes(null);
    g.setTextBaseline(VPos.TOP);
    for (Region region : design.regions()) {
      Point2D at = places.get(region.id());
      g.setFill(region.isWitness() ? Color.TRANSPARENT : Color.web("#1f883d"));
      g.fillOval(at.getX() - REGION_RADIUS, at.getY() - REGION_RADIUS, 2 * REGION_RADIUS,
          2 * REGION_RADIUS);
      g.setStroke(night ? Color.WHITE : Color.web("#0b3d1a"));
      g.setLineWidth(1.5);
      g.strokeOval(at.getX() - REGION_RADIUS, at.getY() - REGION_RADIUS, 2 * REGION_RADIUS,
          2 * REGION_RADIUS);
      g.setFill(night ? Color.web("#e6edf3") : Color.web("#1f2328"));
      g.fillText(region.id().value(), at.getX(), at.getY() + REGION_RADIUS + 3);
    }
  }

  private void drawGraticule(GraphicsContext g, boolean night) {
    g.setLineWidth(1);
    for (int longitude = -180; longitude <= 180; longitude += 30) {
      g.setStroke(lineColor(night, longitude == 0));
      Point2D top = project(90, longitude, canvas.getWidth(), canvas.getHeight());
      Point2D bottom = project(-90, longitude, canvas.getWidth(), canvas.getHeight());
      g.strokeLine(top.getX(), top.getY(), bottom.getX(), bottom.getY());
    }
    for (int latitude = -90; latitude <= 90; latitude += 30) {
      g.setStroke(lineColor(night, latitude == 0));
      Point2D west = project(latitude, -180, canvas.getWidth(), canvas.getHeight());
      Point2D east = project(latitude, 180, canvas.getWidth(), canvas.getHeight());
      g.strokeLine(west.getX(), west.getY(), east.getX(), east.getY());
    }
  }

  private static Color lineColor(boolean night, boolean major) {
    if (night) {
      return major ? Color.web("#3d4a5c") : Color.web("#252e3a");
    }
    return major ? Color.web("#9fb3c8") : Color.web("#cfdae6");
  }
}
