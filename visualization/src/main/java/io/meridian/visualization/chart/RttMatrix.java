package io.meridian.visualization.chart;

import io.meridian.model.Topology;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleObjectProperty;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;

/**
 * A region-by-region round-trip-time matrix: one row and one column per region, columns
 * grouped under their jurisdiction, rows sortable by clicking a column header (fastest
 * first). Cells show milliseconds; pairs without a direct link show the fastest routed
 * time in italics with a leading {@code ~}, pairs with no path a dash.
 *
 * <p>Styling: style class {@value #STYLE_CLASS}; cells are {@code .rtt-cell} with
 * pseudo-classes {@code :near} (below {@value #NEAR_MS_MAX} ms), {@code :mid} (below {@value
 * #MID_MS_MAX} ms), {@code :far}, and {@code :routed}, {@code :unreachable}, {@code :self}.
 */
public class RttMatrix extends Control {

  /** The style class of every RTT matrix. */
  public static final String STYLE_CLASS = "rtt-matrix";

  /** Upper bound of the {@code :near} band, in milliseconds. */
  public static final double NEAR_MS_MAX = 30;

  /** Upper bound of the {@code :mid} band, in milliseconds. */
  public static final double MID_MS_MAX = 120;

  private static final String STYLESHEET =
      RttMatrix.class.getResource("/io/meridian/visualization/visualization.css")
          .toExternalForm();

  private final ObjectProperty<Topology> topology = new SimpleObjectProperty<>(this, "topology");
  private final ReadOnlyObjectWrapper<RttMatrixModel> model =
      new ReadOnlyObjectWrapper<>(this, "model", RttMatrixModel.of(null));

  /** A matrix computed elsewhere for the topology being set by {@link #show}, or null. */
  private RttMatrixModel handedOver;

  /** Creates an empty matrix. */
  public RttMatrix() {
    getStyleClass().add(STYLE_CLASS);
    topology.addListener((observable, before, after) -> {
      if (handedOver != null) {
        model.set(handedOver);
        return;
      }
      // Most edits of a design (datasets, policies) leave the regions and links alone.
      if (before == null || after == null || !before.regions().equals(after.regions())
          || !before.links().equals(after.links())) {
        model.set(RttMatrixModel.of(after));
      }
    });
  }

  /**
   * Shows a topology with its matrix already computed, typically on a background thread with
   * {@link RttMatrixModel#of}, so the JavaFX thread does not run the shortest paths of a large
   * design. Use it instead of binding {@link #topologyProperty()}.
   *
   * @param value the topology
   * @param computed {@code RttMatrixModel.of(value)}, or null to compute it here
   */
  public void show(Topology value, RttMatrixModel computed) {
    handedOver = computed;
    try {
      topology.set(value);
      if (computed != null && model.get() != computed) {
        model.set(computed);
      }
    } finally {
      handedOver = null;
    }
  }

  @Override
  protected Skin<?> createDefaultSkin() {
    return new RttMatrixSkin(this);
  }

  @Override
  public String getUserAgentStylesheet() {
    return STYLESHEET;
  }

  /**
   * The topology whose links fill the matrix.
   *
   * @return the property
   */
  public ObjectProperty<Topology> topologyProperty() {
    return topology;
  }

  /** @return the topology shown */
  public Topology getTopology() {
    return topology.get();
  }

  /** @param value the topology to show */
  public void setTopology(Topology value) {
    topology.set(value);
  }

  /**
   * The matrix computed from the topology.
   *
   * @return the property
   */
  public ReadOnlyObjectProperty<RttMatrixModel> modelProperty() {
    return model.getReadOnlyProperty();
  }

  /** @return the matrix computed from the topology */
  public RttMatrixModel getModel() {
    return model.get();
  }
}
