package io.meridian.visualization.graph;

import io.meridian.model.RegionId;
import io.meridian.model.Topology;
import io.meridian.visualization.map.WorldMap;
import io.meridian.visualization.projection.ProjectedBounds;
import java.util.Optional;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableMap;
import javafx.scene.control.Skin;

/**
 * A topology drawn on a {@link WorldMap}: each region a marker at its coordinates (a disc
 * for data regions, a hollow diamond for witnesses) with its name and a jurisdiction badge,
 * each link an arc labelled with its round-trip time. Regions that share a place fan out
 * around it; markers and labels keep their screen size at every zoom.
 *
 * <p>Data in, events out: set {@link #topologyProperty()}, fill {@link #getRegionOverlays()}
 * and {@link #getLinkOverlays()} from validation, what-if or monitoring, and watch {@link
 * #selectionProperty()}, which a click on a region or link sets and a click on empty map
 * clears. {@link #centerOn(GraphElement)} brings an element into view. With focus, {@code
 * Enter} centres on the selection and {@code Escape} clears it; hovering a marker shows the
 * region's id, role, jurisdiction and provider code.
 *
 * <p>Styling: style classes {@value #STYLE_CLASS} and {@code world-map}. Region nodes are
 * {@code .region-node} with pseudo-classes {@code :data} or {@code :witness}, {@code
 * :selected}, {@code :dimmed} and the {@link Status} pseudo-classes; links are {@code
 * .link} with the same pseudo-classes; see the bundled {@code visualization.css}.
 *
 * <p>Cost: the topology is projected once per change; moving the view repositions markers
 * and arcs from cached arrays in one pass per frame; fan-out is recomputed only when the
 * scale changes.
 */
public class TopologyGraph extends WorldMap {

  /** The style class of every topology graph. */
  public static final String STYLE_CLASS = "topology-graph";

  /** The most {@link #fitAll()} zooms in, so one region does not fill the screen. */
  public static final double FIT_ZOOM_MAX = 12;

  /** The zoom {@link #centerOn(GraphElement)} uses at least for a region. */
  public static final double CENTER_ZOOM_MIN = 3;

  private final ObjectProperty<Topology> topology = new SimpleObjectProperty<>(this, "topology");
  private final ReadOnlyObjectWrapper<ProjectedTopology> projected =
      new ReadOnlyObjectWrapper<>(this, "projected", ProjectedTopology.EMPTY);
  private final ObservableMap<RegionId, RegionOverlay> regionOverlays =
      FXCollections.observableHashMap();
  private final ObservableMap<LinkKey, LinkOverlay> linkOverlays =
      FXCollections.observableHashMap();
  private final ObservableMap<LinkKey, LinkFlow> linkFlows = FXCollections.observableHashMap();
  private final ObjectProperty<GraphElement> selection =
      new SimpleObjectProperty<>(this, "selection");
  private final BooleanProperty legendVisible =
      new SimpleBooleanProperty(this, "legendVisible", true);
  private final BooleanProperty linkLabelsVisible =
      new SimpleBooleanProperty(this, "linkLabelsVisible", true);
  private final BooleanProperty layersCachedWhileFlowing =
      new SimpleBooleanProperty(this, "layersCachedWhileFlowing", true);

  /** Creates an empty graph. */
  public TopologyGraph() {
    getStyleClass().add(STYLE_CLASS);
    topology.addListener((observable, before, after) -> {
      ProjectedTopology geometry = ProjectedTopology.of(after, getProjection(),
          projected.get());
      projected.set(geometry);
      // A selection of something the new topology no longer has would point at nothing.
      if (!contains(geometry, getSelection())) {
        setSelection(null);
      }
    });
  }

  /**
   * Creates a graph showing a topology.
   *
   * @param topology what to show
   */
  public TopologyGraph(Topology topology) {
    this();
    setTopology(topology);
  }

  @Override
  protected Skin<?> createDefaultSkin() {
    return new TopologyGraphSkin(this);
  }

  /**
   * The topology shown; {@code null} shows only the map.
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
   * The shown topology's projected geometry, recomputed when the topology changes.
   *
   * @return the property
   */
  public ReadOnlyObjectProperty<ProjectedTopology> projectedTopologyProperty() {
    return projected.getReadOnlyProperty();
  }

  /** @return the shown topology's projected geometry */
  public ProjectedTopology getProjectedTopology() {
    return projected.get();
  }

  /**
   * Overlays per region. Regions without an entry are drawn plain. Put, replace or remove
   * entries; each change restyles only that region.
   *
   * @return the live map
   */
  public ObservableMap<RegionId, RegionOverlay> getRegionOverlays() {
    return regionOverlays;
  }

  /**
   * Overlays per link, keyed by {@link LinkKey}. Links without an entry are drawn plain.
   *
   * @return the live map
   */
  public ObservableMap<LinkKey, LinkOverlay> getLinkOverlays() {
    return linkOverlays;
  }

  /**
   * Traffic per link, drawn as particles moving from the flow's source to the other end.
   * Links without an entry show no particles. Put, replace or remove entries.
   *
   * @return the live map
   */
  public ObservableMap<LinkKey, LinkFlow> getLinkFlows() {
    return linkFlows;
  }

  /**
   * The selected region or link, or {@code null}. Clicks set it; the application may set it
   * too (for example from a problem list). It is cleared when a new topology no longer has
   * the selected element.
   *
   * @return the property
   */
  public ObjectProperty<GraphElement> selectionProperty() {
    return selection;
  }

  /** @return the selected element, or {@code null} */
  public GraphElement getSelection() {
    return selection.get();
  }

  /** @param value the element to select, or {@code null} */
  public void setSelection(GraphElement value) {
    selection.set(value);
  }

  /**
   * Whether the status legend is shown in the bottom-left corner. Default {@code true}.
   *
   * @return the property
   */
  public BooleanProperty legendVisibleProperty() {
    return legendVisible;
  }

  /** @return whether the legend is shown */
  public boolean isLegendVisible() {
    return legendVisible.get();
  }

  /** @param value whether to show the legend */
  public void setLegendVisible(boolean value) {
    legendVisible.set(value);
  }

  /**
   * Whether links carry their RTT label. Labels of links too short on screen to hold one are
   * hidden regardless. Default {@code true}.
   *
   * @return the property
   */
  public BooleanProperty linkLabelsVisibleProperty() {
    return linkLabelsVisible;
  }

  /** @return whether link labels are shown */
  public boolean isLinkLabelsVisible() {
    return linkLabelsVisible.get();
  }

  /** @param value whether to show link labels */
  public void setLinkLabelsVisible(boolean value) {
    linkLabelsVisible.set(value);
  }

  /**
   * Whether, while particles flow ({@link #getLinkFlows()}), the links, labels and markers are
   * kept as bitmaps so that a frame which only moves particles does not rasterise them again.
   * Only while the map at the current scale is at most a few views large. Default {@code true};
   * off is for comparison in benchmarks.
   *
   * @return the property
   */
  public BooleanProperty layersCachedWhileFlowingProperty() {
    return layersCachedWhileFlowing;
  }

  /** @return whether the layers are kept as bitmaps while particles flow */
  public boolean isLayersCachedWhileFlowing() {
    return layersCachedWhileFlowing.get();
  }

  /** @param value whether to keep the layers as bitmaps while particles flow */
  public void setLayersCachedWhileFlowing(boolean value) {
    layersCachedWhileFlowing.set(value);
  }

  /**
   * Brings an element into view: a region is centred (zooming in to at least {@value
   * #CENTER_ZOOM_MIN}), a link is fitted with both its ends. Unknown elements are ignored.
   *
   * @param element the region or link
   * @return whether the element is on the graph
   */
  public boolean centerOn(GraphElement element) {
    ProjectedTopology geometry = getProjectedTopology();
    if (element instanceof GraphElement.RegionElement region) {
      Optional<Integer> index = geometry.indexOf(region.id());
      index.ifPresent(i -> centerOnProjected(geometry.regionX(i), geometry.regionY(i),
          Math.max(getViewport() == null ? 1 : getZoom(), CENTER_ZOOM_MIN)));
      return index.isPresent();
    }
    if (element instanceof GraphElement.LinkElement link) {
      Optional<Integer> index = geometry.indexOf(link.key());
      index.ifPresent(i -> {
        int from = geometry.linkFrom(i);
        int to = geometry.linkTo(i);
        double[] xy = {geometry.regionX(from), geometry.regionY(from), geometry.regionX(to),
            geometry.regionY(to), geometry.controlX(i), geometry.controlY(i)};
        fitTo(ProjectedBounds.ofPoints(xy, 3));
      });
      return index.isPresent();
    }
    return false;
  }

  /** How far outside a marker or a link's stroke a point still hits it, in pixels. */
  public static final double HIT_SLOP_PX = 4;

  /**
   * The region or link drawn at a point of this control, for clicks, context menus and
   * drops: a region whose marker is within {@value #HIT_SLOP_PX} px of the point (the nearest
   * one; markers are drawn above links), otherwise the link whose arc passes nearest, within
   * {@value #HIT_SLOP_PX} px of its stroke. Answers for what is on screen, fanned-out markers
   * and both pieces of a link drawn across the antimeridian included; empty before the graph
   * has been laid out or without the default skin.
   *
   * @param x x in this control's coordinates (as {@code MouseEvent.getX()})
   * @param y y in this control's coordinates
   * @return the element there, if any
   */
  public Optional<GraphElement> elementAt(double x, double y) {
    return getSkin() instanceof TopologyGraphSkin skin ? skin.elementAt(x, y, HIT_SLOP_PX)
        : Optional.empty();
  }

  private static boolean contains(ProjectedTopology geometry, GraphElement element) {
    if (element instanceof GraphElement.RegionElement region) {
      return geometry.indexOf(region.id()).isPresent();
    }
    if (element instanceof GraphElement.LinkElement link) {
      return geometry.indexOf(link.key()).isPresent();
    }
    return true;
  }

  @Override
  protected double fitZoomMax() {
    return FIT_ZOOM_MAX;
  }

  @Override
  protected double fitPaddingPx() {
    // Room for the labels and badges around the outermost markers.
    return 56;
  }

  @Override
  protected ProjectedBounds contentBounds() {
    return getProjectedTopology().bounds().orElseGet(super::contentBounds);
  }
}
