package io.meridian.visualization.chart;

import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * A table of latencies per region with horizontal bars, each bar drawn over its physical
 * floor so the reader sees at once how much of a latency is physics and how much is design.
 * All bars share one scale, the largest value or floor in the table.
 *
 * <p>Styling: style class {@value #STYLE_CLASS}; rows are {@code .latency-row} with the
 * {@link io.meridian.visualization.graph.Status} pseudo-classes and {@code :unavailable};
 * parts {@code .latency-label}, {@code .bar-track}, {@code .bar-floor}, {@code .bar-value},
 * {@code .latency-figure}.
 */
public class LatencyBars extends Control {

  /** The style class of every latency bar table. */
  public static final String STYLE_CLASS = "latency-bars";

  private static final String STYLESHEET =
      LatencyBars.class.getResource("/io/meridian/visualization/visualization.css")
          .toExternalForm();

  private final ObservableList<LatencyBar> bars = FXCollections.observableArrayList();
  private final ObjectProperty<String> title = new SimpleObjectProperty<>(this, "title");

  /** Creates an empty table. */
  public LatencyBars() {
    getStyleClass().add(STYLE_CLASS);
  }

  @Override
  protected Skin<?> createDefaultSkin() {
    return new LatencyBarsSkin(this);
  }

  @Override
  public String getUserAgentStylesheet() {
    return STYLESHEET;
  }

  /**
   * The rows, in display order. Replace them with {@code setAll} when a new analysis
   * arrives.
   *
   * @return the live list
   */
  public ObservableList<LatencyBar> getBars() {
    return bars;
  }

  /**
   * A heading shown above the rows, or {@code null} for none.
   *
   * @return the property
   */
  public ObjectProperty<String> titleProperty() {
    return title;
  }

  /** @return the heading */
  public String getTitle() {
    return title.get();
  }

  /** @param value the heading */
  public void setTitle(String value) {
    title.set(value);
  }
}
