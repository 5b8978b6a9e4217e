package io.meridian.visualization.graph;

import io.meridian.model.Link;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.visualization.map.MapViewport;
import io.meridian.visualization.map.WorldMapSkin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javafx.animation.Animation;
import javafx.animation.Interpolator;
import javafx.animation.KeyFrame;
import javafx.animation.KeyValue;
import javafx.animation.AnimationTimer;
import javafx.animation.Timeline;
import javafx.beans.InvalidationListener;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.value.ChangeListener;
import javafx.collections.MapChangeListener;
import javafx.event.EventHandler;
import javafx.scene.Group;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.shape.Line;
import javafx.scene.shape.QuadCurve;
import javafx.util.Duration;

/**
 * The default skin of {@link TopologyGraph}: the world map, then links, link labels,
 * fan-out leader lines and region markers in screen space above it, and the legend.
 *
 * <p>Views are kept per region id and link key and reused when the topology changes, so an
 * edit restyles what changed instead of rebuilding the scene graph. Everything is placed at
 * the current scale without the pan translation, inside one layer whose translation follows
 * the view: a pan changes that one transform and touches no node. A zoom runs one pass over
 * the cached projected arrays (two multiplications per point, no allocation) and
 * recomputes fan-out and label decluttering.
 */
public class TopologyGraphSkin extends WorldMapSkin {

  /** Markers closer than this on screen fan out around their common place. */
  static final double FAN_SEPARATION_PX = 22;

  /** A link shorter than this on screen hides its label: it would not fit. */
  static final double LINK_LABEL_LENGTH_MIN_PX = 90;

  /** How fast particles travel along a link, in screen pixels per second. */
  static final double PARTICLE_SPEED_PX_PER_S = 60;

  /** Length of one particle on screen. */
  static final double PARTICLE_LENGTH_PX = 2;

  /** Gap between particles at the lowest and the highest density. */
  static final double PARTICLE_GAP_MAX_PX = 48;
  static final double PARTICLE_GAP_MIN_PX = 6;

  /** Link width when no overlay sets one. */
  static final double LINK_WIDTH_DEFAULT_PX = 1.75;

  /**
   * While particles flow, the links, labels, leaders and markers are kept as bitmaps (so a
   * frame that only moves particles copies them instead of rasterising every arc, marker and
   * label again) while the whole map at the current scale has at most this many views' worth of
   * pixels: each bitmap spans its layer, which grows with the square of the zoom.
   */
  static final double LAYER_CACHE_VIEWS_MAX = 4;

  private static final double LEGEND_MARGIN_PX = 12;
  private static final Duration PULSE_PERIOD = Duration.millis(1200);

  private final Group linkLayer = new Group();
  private final Group linkFlowLayer = new Group();
  private final Group linkHitLayer = new Group();
  private final Group linkLabelLayer = new Group();
  private final Group leaderLayer = new Group();
  private final Group regionLayer = new Group();
  private final GraphLegend legend = new GraphLegend();
  private final FanOut fanOut = new FanOut(FAN_SEPARATION_PX);
  private final Map<RegionId, RegionNode> regionNodes = new HashMap<>();
  private final Map<LinkKey, LinkView> linkViews = new HashMap<>();
  private RegionNode[] regionsByIndex = new RegionNode[0];
  private LinkView[] linksByIndex = new LinkView[0];
  private Line[] leaders = new Line[0];
  private double[] screenXy = new double[0];
  private ProjectedTopology geometry = ProjectedTopology.EMPTY;

  private final DoubleProperty pulsePhase = new SimpleDoubleProperty();
  private final Timeline pulse = new Timeline(
      new KeyFrame(Duration.ZERO, new KeyValue(pulsePhase, 0)),
      new KeyFrame(PULSE_PERIOD, new KeyValue(pulsePhase, 1, Interpolator.EASE_OUT)));
  private int pulsingCount;

  private double placedScale = Double.NaN;
  private double fanScale = Double.NaN;
  private boolean placementDirty = true;
  private boolean labelsDirty = true;
  private final LabelDeclutter declutter = new LabelDeclutter();
  private long layerNodesReplaced;
  private long restyledOnRebuild;
  private long placements;
  private long relabels;
  private final javafx.collections.ListChangeListener<Node> layerChangeCounter = change -> {
    while (change.next()) {
      layerNodesReplaced += change.getAddedSize() + change.getRemovedSize();
    }
  };
  private double[] labelBoxes = new double[0];
  private boolean[] labelAccepted = new boolean[0];
  private int[] labelOwner = new int[0];
  private final double[] labelCenter = new double[2];

  private final ChangeListener<ProjectedTopology> geometryListener =
      (observable, before, after) -> rebuild(after);
  private final MapChangeListener<RegionId, RegionOverlay> regionOverlayListener =
      change -> restyleRegion(change.getKey());
  private final MapChangeListener<LinkKey, LinkOverlay> linkOverlayListener =
      change -> restyleLink(change.getKey());
  private final MapChangeListener<LinkKey, LinkFlow> linkFlowListener =
      change -> restyleFlow(change.getKey());
  private int flowingCount;
  private boolean layersCached;
  private final AnimationTimer flowAnimation = new AnimationTimer() {
    @Override
    public void handle(long now) {
      moveParticles(now);
    }
  };
  private final ChangeListener<GraphElement> selectionListener =
      (observable, before, after) -> {
        restyle(before);
        restyle(after);
      };
  private final InvalidationListener placementListener = observable -> markDirty();
  private final InvalidationListener themeListener = observable -> syncLegendTheme();
  private final InvalidationListener relayoutListener =
      observable -> getSkinnable().requestLayout();
  private final EventHandler<MouseEvent> regionClick = this::onRegionClicked;
  private final EventHandler<MouseEvent> linkClick = this::onLinkClicked;
  private final EventHandler<MouseEvent> backgroundClick = this::onBackgroundClicked;
  private final EventHandler<KeyEvent> keyHandler = this::onKeyPressed;

  /**
   * Creates the skin.
   *
   * @param graph the control
   */
  public TopologyGraphSkin(TopologyGraph graph) {
    super(graph);
    pulse.setCycleCount(Animation.INDEFINITE);
    linkLayer.setMouseTransparent(true);
    linkLabelLayer.setMouseTransparent(true);
    leaderLayer.setMouseTransparent(true);
    linkFlowLayer.setMouseTransparent(true);
    getOverlayLayer().getChildren().addAll(linkLayer, linkFlowLayer, linkHitLayer, linkLabelLayer, leaderLayer,
        regionLayer);
    for (Group layer : List.of(linkLayer, linkFlowLayer, linkHitLayer, linkLabelLayer,
        leaderLayer, regionLayer)) {
      layer.getChildren().addListener(layerChangeCounter);
    }
    legend.setManaged(false);
    getChildren().add(legend);
    graph.getStyleClass().addListener(themeListener);
    syncLegendTheme();

    graph.projectedTopologyProperty().addListener(geometryListener);
    graph.getRegionOverlays().addListener(regionOverlayListener);
    graph.getLinkOverlays().addListener(linkOverlayListener);
    graph.getLinkFlows().addListener(linkFlowListener);
    graph.selectionProperty().addListener(selectionListener);
    graph.legendVisibleProperty().addListener(placementListener);
    graph.layersCachedWhileFlowingProperty().addListener(relayoutListener);
    graph.linkLabelsVisibleProperty().addListener(placementListener);
    regionLayer.addEventHandler(MouseEvent.MOUSE_CLICKED, regionClick);
    linkHitLayer.addEventHandler(MouseEvent.MOUSE_CLICKED, linkClick);
    graph.addEventHandler(MouseEvent.MOUSE_CLICKED, backgroundClick);
    graph.addEventHandler(KeyEvent.KEY_PRESSED, keyHandler);
    rebuild(graph.getProjectedTopology());
  }

  @Override
  public void dispose() {
    TopologyGraph graph = (TopologyGraph) getSkinnable();
    if (graph == null) {
      return;
    }
    pulse.stop();
    graph.projectedTopologyProperty().removeListener(geometryListener);
    graph.getRegionOverlays().removeListener(regionOverlayListener);
    graph.getLinkOverlays().removeListener(linkOverlayListener);
    graph.getLinkFlows().removeListener(linkFlowListener);
    flowAnimation.stop();
    graph.selectionProperty().removeListener(selectionListener);
    graph.legendVisibleProperty().removeListener(placementListener);
    graph.layersCachedWhileFlowingProperty().removeListener(relayoutListener);
    graph.linkLabelsVisibleProperty().removeListener(placementListener);
    graph.removeEventHandler(MouseEvent.MOUSE_CLICKED, backgroundClick);
    graph.removeEventHandler(KeyEvent.KEY_PRESSED, keyHandler);
    graph.getStyleClass().removeListener(themeListener);
    super.dispose();
  }

  private TopologyGraph graph() {
    return (TopologyGraph) getSkinnable();
  }

  private void syncLegendTheme() {
    boolean dark = getSkinnable().getStyleClass().contains("dark");
    if (dark != legend.getStyleClass().contains("dark")) {
      if (dark) {
        legend.getStyleClass().add("dark");
      } else {
        legend.getStyleClass().remove("dark");
      }
    }
  }

  // ------------------------------------------------------------------ rebuild

  /**
   * Shows a new geometry by updating the views in place: a region or link kept from the
   * previous topology keeps its node, which is restyled only when its model value changed; the
   * layers' child lists change only where regions or links were added or removed. An edit of
   * one link therefore touches one link's views, instead of re-adding (and so re-styling by
   * CSS) every node of the graph.
   */
  private void rebuild(ProjectedTopology newGeometry) {
    if (geometry != null && linksByIndex.length == newGeometry.linkCount()
        && newGeometry.sameElementsAs(geometry)) {
      // The same regions and link ends, in the same order (an edit of link properties): the
      // views and layers stay, and only links whose value changed are shown again.
      geometry = newGeometry;
      int restyled = 0;
      for (int i = 0; i < linksByIndex.length; i++) {
        Link link = geometry.links().get(i);
        LinkView view = linksByIndex[i];
        if (link != view.link && !link.equals(view.link)) {
          view.link = link;
          restyleLink(view.key);
          restyleFlow(view.key);
          restyled++;
        }
      }
      // Nothing moved: the restyled links marked their labels for decluttering again, and only
      // the labels are placed again (ADR 0054).
      restyledOnRebuild += restyled;
      return;
    }
    geometry = newGeometry;
    int regionCount = geometry.regionCount();
    int linkCount = geometry.linkCount();

    Map<RegionId, RegionNode> keptRegions = new HashMap<>();
    RegionNode[] newRegions = new RegionNode[regionCount];
    List<RegionNode> changedRegions = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      Region region = geometry.regions().get(i);
      RegionNode node = regionNodes.remove(region.id());
      if (node == null) {
        node = new RegionNode();
      }
      if (!region.equals(node.region())) {
        node.show(region);
        changedRegions.add(node);
      }
      newRegions[i] = node;
      keptRegions.put(region.id(), node);
    }
    for (RegionNode gone : regionNodes.values()) {
      if (gone.isPulsing()) {
        pulsingCount--;
      }
    }
    regionNodes.clear();
    regionNodes.putAll(keptRegions);
    regionsByIndex = newRegions;
    syncChildren(regionLayer.getChildren(), Arrays.asList(newRegions));

    Map<LinkKey, LinkView> keptLinks = new HashMap<>();
    LinkView[] newLinks = new LinkView[linkCount];
    List<LinkView> changedLinks = new ArrayList<>();
    List<Node> lines = new ArrayList<>(linkCount);
    List<Node> hits = new ArrayList<>(linkCount);
    List<Node> flows = new ArrayList<>();
    Node[] labels = new Node[linkCount];
    for (int i = 0; i < linkCount; i++) {
      Link link = geometry.links().get(i);
      LinkKey key = LinkKey.of(link);
      LinkView view = linkViews.remove(key);
      if (view == null) {
        view = new LinkView(key);
      }
      if (!link.equals(view.link)) {
        view.link = link;
        changedLinks.add(view);
      }
      newLinks[i] = view;
      keptLinks.put(key, view);
      lines.add(view.line);
      hits.add(view.hit);
      if (geometry.crossesAntimeridian(i)) {
        // The second piece, from the opposite edge of the map to the second end.
        view.ensureWrapPiece();
        lines.add(view.wrapLine);
        hits.add(view.wrapHit);
      }
      if (view.flow != null) {
        flows.add(view.flow);
      }
      labels[i] = view.label;
    }
    for (LinkView gone : linkViews.values()) {
      if (gone.pulsing) {
        pulsingCount--;
      }
      if (gone.isFlowing()) {
        countFlow(true, false);
      }
    }
    linkViews.clear();
    linkViews.putAll(keptLinks);
    linksByIndex = newLinks;
    syncChildren(linkLayer.getChildren(), lines);
    syncChildren(linkHitLayer.getChildren(), hits);
    syncChildren(linkFlowLayer.getChildren(), flows);
    syncChildren(linkLabelLayer.getChildren(), Arrays.asList(labels));

    if (leaders.length < regionCount) {
      Line[] grown = new Line[regionCount];
      System.arraycopy(leaders, 0, grown, 0, leaders.length);
      for (int i = leaders.length; i < regionCount; i++) {
        grown[i] = new Line();
        grown[i].getStyleClass().add("fan-leader");
      }
      leaders = grown;
    }
    syncChildren(leaderLayer.getChildren(), Arrays.asList(leaders).subList(0, regionCount));
    if (screenXy.length != 2 * regionCount) {
      screenXy = new double[2 * regionCount];
    }

    // Overlay and selection changes restyle through their own listeners; here only what the
    // model changed (a new name, role or RTT) or what is new needs it.
    for (RegionNode node : changedRegions) {
      restyleRegion(node.region().id());
    }
    for (LinkView view : changedLinks) {
      restyleLink(view.key);
      restyleFlow(view.key);
    }
    restyledOnRebuild += changedRegions.size() + changedLinks.size();
    fanScale = Double.NaN;
    markDirty();
  }

  /**
   * Makes {@code children} hold {@code wanted}, in order, with the fewest list changes: nothing
   * when they already do; removals of what is gone and insertions of what is new when the kept
   * nodes stay in order (the usual edit); one replacement of the whole list otherwise. Every
   * node removed from and added to a parent is styled again by CSS, which over a thousand links
   * costs more than the rest of an edit.
   */
  private static void syncChildren(List<Node> children, List<? extends Node> wanted) {
    if (children.equals(wanted)) {
      return;
    }
    Set<Node> wantedNodes = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    wantedNodes.addAll(wanted);
    children.removeIf(node -> !wantedNodes.contains(node));
    Set<Node> present = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    present.addAll(children);
    for (int i = 0; i < wanted.size(); i++) {
      Node node = wanted.get(i);
      if (i < children.size() && children.get(i) == node) {
        continue;
      }
      if (present.contains(node)) {
        // A kept node moved: the order changed, which an edit does not do. Start over.
        if (!children.equals(wanted)) {
          children.clear();
          children.addAll(wanted);
        }
        return;
      }
      children.add(i, node);
      present.add(node);
    }
  }

  /**
   * How many nodes the graph's layers have had added or removed since the skin was created
   * (each one is styled again by CSS), for tests that check an edit touches only what changed.
   *
   * @return the count
   */
  long getLayerNodesReplaced() {
    return layerNodesReplaced;
  }

  /**
   * How many times markers, arcs and labels were placed for a scale since the skin was created
   * (each pass touches every node of the graph).
   *
   * @return the count
   */
  long getPlacements() {
    return placements;
  }

  /**
   * How many times only the labels were decluttered and placed again, markers and arcs staying
   * where they were (a restyle or an edit that moved nothing), since the skin was created.
   *
   * @return the count
   */
  long getRelabels() {
    return relabels;
  }

  /**
   * How many regions and links a new topology has restyled since the skin was created (new
   * ones, and kept ones whose model value changed).
   *
   * @return the count
   */
  long getRestyledOnRebuild() {
    return restyledOnRebuild;
  }

  // ------------------------------------------------------------------ styling

  private void restyle(GraphElement element) {
    if (element instanceof GraphElement.RegionElement region) {
      restyleRegion(region.id());
    } else if (element instanceof GraphElement.LinkElement link) {
      restyleLink(link.key());
    }
  }

  private void restyleRegion(RegionId id) {
    RegionNode node = regionNodes.get(id);
    if (node == null) {
      return;
    }
    boolean wasPulsing = node.isPulsing();
    node.apply(graph().getRegionOverlays().get(id),
        new GraphElement.RegionElement(id).equals(graph().getSelection()), pulsePhase);
    countPulse(wasPulsing, node.isPulsing());
    // Status and selection change label priority and the badge's room: declutter again. The
    // marker stays where it is (fan-out depends on positions only).
    markLabelsDirty();
  }

  private void restyleLink(LinkKey key) {
    LinkView view = linkViews.get(key);
    if (view == null) {
      return;
    }
    boolean wasPulsing = view.pulsing;
    view.apply(graph().getLinkOverlays().get(key),
        new GraphElement.LinkElement(key).equals(graph().getSelection()));
    countPulse(wasPulsing, view.pulsing);
    // A new badge or RTT changes the label's width, which decluttering uses; the arc's ends
    // and control point do not change.
    markLabelsDirty();
  }

  private void restyleFlow(LinkKey key) {
    LinkView view = linkViews.get(key);
    if (view == null) {
      return;
    }
    boolean was = view.isFlowing();
    view.applyFlow(graph().getLinkFlows().get(key));
    countFlow(was, view.isFlowing());
  }

  private void countFlow(boolean before, boolean after) {
    if (before == after) {
      return;
    }
    flowingCount += after ? 1 : -1;
    if (flowingCount > 0) {
      flowAnimation.start();
    } else {
      flowAnimation.stop();
    }
    getSkinnable().requestLayout();
  }

  /**
   * Keeps the layers under and over the particles as bitmaps while particles flow and the map
   * is small enough (see {@link #LAYER_CACHE_VIEWS_MAX}); draws them as vectors otherwise, so
   * the designer, which has no particles, pays nothing for the bitmaps. The layer's whole-pixel
   * translation matters: the software pipeline copies a bitmap at a whole-pixel offset, but
   * filters one at a fractional offset, which costs more than drawing the vectors (ADR 0025).
   */
  private void updateLayerCaches(double scale, double width, double height) {
    TopologyGraph graph = graph();
    double worldPixels = graph.getProjection().worldBounds().width() * scale
        * graph.getProjection().worldBounds().height() * scale;
    boolean cache = flowingCount > 0 && graph.isLayersCachedWhileFlowing()
        && worldPixels <= LAYER_CACHE_VIEWS_MAX * width * height;
    if (cache != layersCached) {
      layersCached = cache;
      linkLayer.setCache(cache);
      linkLabelLayer.setCache(cache);
      leaderLayer.setCache(cache);
      regionLayer.setCache(cache);
    }
  }

  /**
   * Whether the links, labels, leaders and markers are kept as bitmaps now.
   *
   * @return true while particles flow at a scale that allows it
   */
  boolean isLayersCached() {
    return layersCached;
  }

  /** Moves every visible particle stream along its link; one pass per frame. */
  private void moveParticles(long nowNanos) {
    double travelled = nowNanos / 1e9 * PARTICLE_SPEED_PX_PER_S;
    for (LinkView view : linksByIndex) {
      if (view.isFlowing()) {
        double period = view.particlePeriod;
        double offset = travelled % period;
        // A falling dash offset moves the dashes from the curve's start towards its end.
        view.flow.setStrokeDashOffset(view.flowForward ? period - offset : offset);
      }
    }
  }

  private void countPulse(boolean before, boolean after) {
    if (before == after) {
      return;
    }
    pulsingCount += after ? 1 : -1;
    if (pulsingCount > 0 && pulse.getStatus() != Animation.Status.RUNNING) {
      pulse.play();
    } else if (pulsingCount == 0) {
      pulse.stop();
      pulsePhase.set(0);
    }
  }

  // ---------------------------------------------------------------- placement

  private void markDirty() {
    placementDirty = true;
    labelsDirty = true;
    getSkinnable().requestLayout();
  }

  /** Labels must be decluttered again; markers and arcs stay where they are. */
  private void markLabelsDirty() {
    labelsDirty = true;
    getSkinnable().requestLayout();
  }

  @Override
  protected void layoutOverlay(MapViewport viewport, double width, double height) {
    TopologyGraph graph = graph();
    legend.setVisible(graph.isLegendVisible());
    if (legend.isVisible()) {
      legend.autosize();
      legend.relocate(LEGEND_MARGIN_PX, height - legend.getHeight() - LEGEND_MARGIN_PX);
    }
    double scale = viewport.scale();
    // Panning only moves this one layer: everything in it is placed at scale, untranslated.
    // Whole pixels, as the map's transform (WorldMapSkin): a fractional offset makes the
    // software pipeline filter what it could copy (ADR 0025).
    getOverlayLayer().setTranslateX(Math.rint(width / 2 - viewport.centerX() * scale));
    getOverlayLayer().setTranslateY(Math.rint(height / 2 + viewport.centerY() * scale));
    updateLayerCaches(scale, width, height);
    if (!placementDirty && scale == placedScale) {
      if (labelsDirty && !isOverlayPlacementDeferrable()) {
        relabel(scale);
      }
      return;
    }
    if (isOverlayPlacementDeferrable()) {
      // Hidden under the zooming bitmap: a thousand arcs placed for nobody to see would cost
      // most of each zoom frame. Placed when the bitmap is drawn again or the movement ends,
      // or at once for a hit test (elementAt).
      return;
    }
    place(scale);
  }

  /** Places markers, leaders, arcs and labels for a scale, without the pan translation. */
  private void place(double scale) {
    TopologyGraph graph = graph();
    placements++;
    placementDirty = false;
    placedScale = scale;
    int regionCount = geometry.regionCount();
    if (scale != fanScale || labelsDirty) {
      fanOut.compute(geometry.regionXy(), regionCount, scale);
      fanScale = scale;
      labelsDirty = false;
      declutterLabels(scale, graph.isLinkLabelsVisible());
    }
    for (int i = 0; i < regionCount; i++) {
      double trueX = geometry.regionX(i) * scale;
      double trueY = -geometry.regionY(i) * scale;
      double x = trueX + fanOut.offsetX(i);
      double y = trueY + fanOut.offsetY(i);
      screenXy[2 * i] = x;
      screenXy[2 * i + 1] = y;
      RegionNode node = regionsByIndex[i];
      node.setLayoutX(x);
      node.setLayoutY(y);
      Line leader = leaders[i];
      boolean fanned = fanOut.offsetX(i) != 0 || fanOut.offsetY(i) != 0;
      if (leader.isVisible() != fanned) {
        leader.setVisible(fanned);
      }
      if (fanned) {
        leader.setStartX(trueX);
        leader.setStartY(trueY);
        leader.setEndX(x);
        leader.setEndY(y);
      }
    }
    for (int i = 0; i < linksByIndex.length; i++) {
      int from = geometry.linkFrom(i);
      int to = geometry.linkTo(i);
      double x0 = screenXy[2 * from];
      double y0 = screenXy[2 * from + 1];
      double x2 = screenXy[2 * to];
      double y2 = screenXy[2 * to + 1];
      // The control point follows the average fan-out offset of the two ends.
      double cx = geometry.controlX(i) * scale
          + (fanOut.offsetX(from) + fanOut.offsetX(to)) / 2;
      double cy = -geometry.controlY(i) * scale
          + (fanOut.offsetY(from) + fanOut.offsetY(to)) / 2;
      LinkView view = linksByIndex[i];
      if (geometry.crossesAntimeridian(i)) {
        view.place(x0, y0, wrapControlX(i, 0, scale), wrapControlY(i, 0, scale),
            geometry.edgeX(i, 0) * scale, -geometry.edgeY(i, 0) * scale);
        view.placeWrap(geometry.edgeX(i, 1) * scale, -geometry.edgeY(i, 1) * scale,
            wrapControlX(i, 1, scale), wrapControlY(i, 1, scale), x2, y2);
      } else {
        view.place(x0, y0, cx, cy, x2, y2);
      }
      placeLinkLabel(i, scale);
    }
  }

  /**
   * Declutters and places the labels again at the scale the markers and arcs were placed for,
   * leaving those where they are: what an RTT edit, a new badge or a new status needs. Placing
   * all of a 1,000-link graph again for one label was a fifth of an edit's JavaFX thread time.
   */
  private void relabel(double scale) {
    relabels++;
    labelsDirty = false;
    declutterLabels(scale, graph().isLinkLabelsVisible());
    for (int i = 0; i < linksByIndex.length; i++) {
      placeLinkLabel(i, scale);
    }
  }

  private void placeLinkLabel(int link, double scale) {
    LinkView view = linksByIndex[link];
    boolean showLabel = view.labelShown;
    if (view.label.isVisible() != showLabel) {
      view.label.setVisible(showLabel);
    }
    if (showLabel) {
      linkLabelCenter(link, scale, labelCenter);
      view.label.autosize();
      view.label.relocate(labelCenter[0] - view.label.getWidth() / 2,
          labelCenter[1] - view.label.getHeight() / 2);
    }
  }

  /**
   * The control point of one piece of a link drawn across the antimeridian, at this scale:
   * piece 0 runs from the first end to the edge and follows that end's fan-out offset half-way,
   * piece 1 runs from the opposite edge to the second end.
   */
  private double wrapControlX(int link, int piece, double scale) {
    return piece == 0
        ? geometry.controlX(link) * scale + fanOut.offsetX(geometry.linkFrom(link)) / 2
        : geometry.wrapControlX(link) * scale + fanOut.offsetX(geometry.linkTo(link)) / 2;
  }

  private double wrapControlY(int link, int piece, double scale) {
    return piece == 0
        ? -geometry.controlY(link) * scale + fanOut.offsetY(geometry.linkFrom(link)) / 2
        : -geometry.wrapControlY(link) * scale + fanOut.offsetY(geometry.linkTo(link)) / 2;
  }

  /**
   * Where a link's label is centred at this scale, without the pan translation: half-way
   * along its curve, or along the longer piece of a link drawn across the antimeridian.
   *
   * @return the length on screen of the chord the label sits on
   */
  private double linkLabelCenter(int link, double scale, double[] out) {
    int from = geometry.linkFrom(link);
    int to = geometry.linkTo(link);
    double x0 = regionX(from, scale);
    double y0 = regionY(from, scale);
    double x2 = regionX(to, scale);
    double y2 = regionY(to, scale);
    if (geometry.crossesAntimeridian(link)) {
      double edgeX0 = geometry.edgeX(link, 0) * scale;
      double edgeY0 = -geometry.edgeY(link, 0) * scale;
      double edgeX1 = geometry.edgeX(link, 1) * scale;
      double edgeY1 = -geometry.edgeY(link, 1) * scale;
      double first = Math.hypot(edgeX0 - x0, edgeY0 - y0);
      double second = Math.hypot(x2 - edgeX1, y2 - edgeY1);
      if (first >= second) {
        out[0] = 0.25 * x0 + 0.5 * wrapControlX(link, 0, scale) + 0.25 * edgeX0;
        out[1] = 0.25 * y0 + 0.5 * wrapControlY(link, 0, scale) + 0.25 * edgeY0;
        return first;
      }
      out[0] = 0.25 * edgeX1 + 0.5 * wrapControlX(link, 1, scale) + 0.25 * x2;
      out[1] = 0.25 * edgeY1 + 0.5 * wrapControlY(link, 1, scale) + 0.25 * y2;
      return second;
    }
    double cx = geometry.controlX(link) * scale + (fanOut.offsetX(from) + fanOut.offsetX(to)) / 2;
    double cy = -geometry.controlY(link) * scale + (fanOut.offsetY(from) + fanOut.offsetY(to)) / 2;
    out[0] = 0.25 * x0 + 0.5 * cx + 0.25 * x2;
    out[1] = 0.25 * y0 + 0.5 * cy + 0.25 * y2;
    return Math.hypot(x2 - x0, y2 - y0);
  }

  /**
   * Chooses which region and link labels to show at this scale so that none overlap each
   * other or a marker. Works without the pan translation, so panning never needs it again.
   * Priority: the selection, then elements with an overlay status, then topology order;
   * region names first, then jurisdiction badges, then link labels.
   */
  private void declutterLabels(double scale, boolean linkLabels) {
    int regionCount = geometry.regionCount();
    int linkCount = linksByIndex.length;
    int capacity = 3 * regionCount + linkCount;
    if (labelAccepted.length < capacity) {
      labelBoxes = new double[4 * capacity];
      labelAccepted = new boolean[capacity];
      labelOwner = new int[capacity];
    }
    int count = 0;
    for (int i = 0; i < regionCount; i++) {
      double half = regionsByIndex[i].markerHalfSize();
      count = addBox(count, regionX(i, scale) - half, regionY(i, scale) - half, 2 * half,
          2 * half, i);
    }
    int obstacles = count;
    for (int pass = 0; pass < 3; pass++) {
      for (int i = 0; i < regionCount; i++) {
        RegionNode node = regionsByIndex[i];
        if (pass != regionPriority(node)) {
          continue;
        }
        double width = node.labelWidth();
        count = addBox(count, regionX(i, scale) - width / 2,
            regionY(i, scale) + node.labelOffsetY(), width, node.labelHeight(), i);
      }
    }
    int firstBadge = count;
    for (int i = 0; i < regionCount; i++) {
      RegionNode node = regionsByIndex[i];
      count = addBox(count, regionX(i, scale) + node.jurisdictionLeft(),
          regionY(i, scale) + node.jurisdictionTop(), node.jurisdictionWidth(),
          node.jurisdictionHeight(), i);
    }
    int firstLink = count;
    for (int pass = 0; pass < 3 && linkLabels; pass++) {
      for (int i = 0; i < linkCount; i++) {
        LinkView view = linksByIndex[i];
        if (pass != linkPriority(view)) {
          continue;
        }
        if (linkLabelCenter(i, scale, labelCenter) < LINK_LABEL_LENGTH_MIN_PX) {
          continue;
        }
        double width = view.label.prefWidth(-1);
        double height = view.label.prefHeight(-1);
        count = addBox(count, labelCenter[0] - width / 2, labelCenter[1] - height / 2, width,
            height, i);
      }
    }
    declutter.place(labelBoxes, count, obstacles, labelAccepted);
    for (int b = obstacles; b < firstBadge; b++) {
      regionsByIndex[labelOwner[b]].setLabelShown(labelAccepted[b]);
    }
    for (int b = firstBadge; b < firstLink; b++) {
      regionsByIndex[labelOwner[b]].setJurisdictionShown(labelAccepted[b]);
    }
    for (LinkView view : linksByIndex) {
      view.labelShown = false;
    }
    for (int b = firstLink; b < count; b++) {
      linksByIndex[labelOwner[b]].labelShown = labelAccepted[b];
    }
  }

  private int addBox(int index, double left, double top, double width, double height,
      int owner) {
    labelBoxes[4 * index] = left;
    labelBoxes[4 * index + 1] = top;
    labelBoxes[4 * index + 2] = width;
    labelBoxes[4 * index + 3] = height;
    labelOwner[index] = owner;
    return index + 1;
  }

  private double regionX(int region, double scale) {
    return geometry.regionX(region) * scale + fanOut.offsetX(region);
  }

  private double regionY(int region, double scale) {
    return -geometry.regionY(region) * scale + fanOut.offsetY(region);
  }

  private int regionPriority(RegionNode node) {
    if (new GraphElement.RegionElement(node.region().id()).equals(graph().getSelection())) {
      return 0;
    }
    return node.overlay().status() != null ? 1 : 2;
  }

  private int linkPriority(LinkView view) {
    if (new GraphElement.LinkElement(view.key).equals(graph().getSelection())) {
      return 0;
    }
    return view.overlay.status() != null || hasText(view.overlay.badge()) ? 1 : 2;
  }

  private static boolean hasText(String text) {
    return text != null && !text.isEmpty();
  }

  // ----------------------------------------------------------------- hit test

  /**
   * The region or link drawn at a point of the control, as {@link TopologyGraph#elementAt}
   * describes. Uses the placement on screen (fan-out included), so it answers for what the
   * user sees.
   */
  java.util.Optional<GraphElement> elementAt(double x, double y, double slopPx) {
    MapViewport viewport = graph().getViewport();
    if (viewport != null && (placementDirty || viewport.scale() != placedScale)) {
      // Placement waits while a moving bitmap hides the graph: answer for what is on screen.
      place(viewport.scale());
    }
    double layerX = x - getOverlayLayer().getTranslateX();
    double layerY = y - getOverlayLayer().getTranslateY();
    int bestRegion = -1;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int i = 0; i < regionsByIndex.length && 2 * i + 1 < screenXy.length; i++) {
      double distance = Math.hypot(screenXy[2 * i] - layerX, screenXy[2 * i + 1] - layerY);
      if (distance <= regionsByIndex[i].markerHalfSize() + slopPx && distance < bestDistance) {
        bestRegion = i;
        bestDistance = distance;
      }
    }
    if (bestRegion >= 0) {
      return java.util.Optional.of(
          GraphElement.region(regionsByIndex[bestRegion].region().id()));
    }
    int bestLink = -1;
    bestDistance = Double.POSITIVE_INFINITY;
    for (int i = 0; i < linksByIndex.length; i++) {
      LinkView view = linksByIndex[i];
      double reach = view.width / 2 + slopPx;
      double distance = distanceToCurve(view.line, layerX, layerY, reach);
      if (geometry.crossesAntimeridian(i) && view.wrapLine != null) {
        distance = Math.min(distance, distanceToCurve(view.wrapLine, layerX, layerY, reach));
      }
      if (distance <= reach && distance < bestDistance) {
        bestLink = i;
        bestDistance = distance;
      }
    }
    return bestLink < 0 ? java.util.Optional.empty()
        : java.util.Optional.of(GraphElement.link(linksByIndex[bestLink].key));
  }

  /** Segments a curve is cut into to measure a point's distance to it. */
  private static final int HIT_SEGMENTS = 24;

  /**
   * The distance from a point to a quadratic curve, measured against {@link #HIT_SEGMENTS}
   * chords; infinity without the work when the point is outside the curve's box by more than
   * {@code reach}.
   */
  private static double distanceToCurve(QuadCurve curve, double x, double y, double reach) {
    double x0 = curve.getStartX();
    double y0 = curve.getStartY();
    double cx = curve.getControlX();
    double cy = curve.getControlY();
    double x2 = curve.getEndX();
    double y2 = curve.getEndY();
    // The curve lies inside the triangle of its three points.
    if (x < Math.min(x0, Math.min(cx, x2)) - reach || x > Math.max(x0, Math.max(cx, x2)) + reach
        || y < Math.min(y0, Math.min(cy, y2)) - reach
        || y > Math.max(y0, Math.max(cy, y2)) + reach) {
      return Double.POSITIVE_INFINITY;
    }
    double best = Double.POSITIVE_INFINITY;
    double previousX = x0;
    double previousY = y0;
    for (int step = 1; step <= HIT_SEGMENTS; step++) {
      double t = (double) step / HIT_SEGMENTS;
      double u = 1 - t;
      double nextX = u * u * x0 + 2 * u * t * cx + t * t * x2;
      double nextY = u * u * y0 + 2 * u * t * cy + t * t * y2;
      best = Math.min(best, distanceToSegment(x, y, previousX, previousY, nextX, nextY));
      previousX = nextX;
      previousY = nextY;
    }
    return best;
  }

  private static double distanceToSegment(double x, double y, double ax, double ay, double bx,
      double by) {
    double dx = bx - ax;
    double dy = by - ay;
    double lengthSquared = dx * dx + dy * dy;
    double t = lengthSquared == 0 ? 0
        : Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / lengthSquared));
    return Math.hypot(x - (ax + t * dx), y - (ay + t * dy));
  }

  // -------------------------------------------------------------------- input

  private void onRegionClicked(MouseEvent event) {
    if (event.getButton() != MouseButton.PRIMARY || !event.isStillSincePress()) {
      return;
    }
    for (Node node = (Node) event.getTarget(); node != null && node != regionLayer;
        node = node.getParent()) {
      if (node instanceof RegionNode regionNode) {
        graph().setSelection(GraphElement.region(regionNode.region().id()));
        event.consume();
        return;
      }
    }
  }

  private void onLinkClicked(MouseEvent event) {
    if (event.getButton() != MouseButton.PRIMARY || !event.isStillSincePress()) {
      return;
    }
    if (event.getTarget() instanceof QuadCurve curve
        && curve.getUserData() instanceof LinkView view) {
      graph().setSelection(GraphElement.link(view.key));
      event.consume();
    }
  }

  private void onKeyPressed(KeyEvent event) {
    GraphElement selection = graph().getSelection();
    if (event.getCode() == KeyCode.ESCAPE && selection != null) {
      graph().setSelection(null);
      event.consume();
    } else if (event.getCode() == KeyCode.ENTER && selection != null) {
      graph().centerOn(selection);
      event.consume();
    }
  }

  private void onBackgroundClicked(MouseEvent event) {
    if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 1
        && event.isStillSincePress() && !event.isConsumed()) {
      graph().setSelection(null);
    }
  }

  // ------------------------------------------------------------------- views

  /** The shapes of one link: the visible arc, a wider transparent arc to click, a label. */
  private final class LinkView {
    final LinkKey key;
    final QuadCurve line = new QuadCurve();
    final QuadCurve hit = new QuadCurve();
    /**
     * The particle arc, made when the link first carries a flow (the live view): a designer's
     * 1,000 links would otherwise hold 1,000 hidden arcs that every pulse still walks (ADR 0054).
     */
    QuadCurve flow;
    final Label label = new Label();
    /** The second piece of a link drawn across the antimeridian; null until one is. */
    QuadCurve wrapLine;
    QuadCurve wrapHit;
    boolean flowForward = true;
    double particlePeriod = PARTICLE_LENGTH_PX + PARTICLE_GAP_MAX_PX;
    Link link;
    LinkOverlay overlay = LinkOverlay.NONE;
    boolean pulsing;
    boolean labelShown;
    double width = LINK_WIDTH_DEFAULT_PX;

    LinkView(LinkKey key) {
      this.key = key;
      line.getStyleClass().add("link");
      line.setStrokeWidth(LINK_WIDTH_DEFAULT_PX);
      hit.getStyleClass().add("link-hit");
      hit.setUserData(this);
      label.getStyleClass().add("link-label");
      label.setVisible(false);
    }

    void ensureWrapPiece() {
      if (wrapLine != null) {
        return;
      }
      wrapLine = new QuadCurve();
      wrapHit = new QuadCurve();
      wrapLine.getStyleClass().addAll("link", "link-continuation");
      wrapHit.getStyleClass().add("link-hit");
      wrapHit.setUserData(this);
      // Same look as the first piece: mirror its pseudo-classes, width and accessible text.
      line.getPseudoClassStates().addListener(
          (javafx.collections.SetChangeListener<javafx.css.PseudoClass>) change -> {
            if (change.wasAdded()) {
              wrapLine.pseudoClassStateChanged(change.getElementAdded(), true);
            }
            if (change.wasRemoved()) {
              wrapLine.pseudoClassStateChanged(change.getElementRemoved(), false);
            }
          });
      for (javafx.css.PseudoClass state : line.getPseudoClassStates()) {
        wrapLine.pseudoClassStateChanged(state, true);
      }
      wrapLine.strokeWidthProperty().bind(line.strokeWidthProperty());
      wrapHit.accessibleTextProperty().bind(hit.accessibleTextProperty());
    }

    void apply(LinkOverlay newOverlay, boolean selected) {
      LinkOverlay shown = newOverlay == null ? LinkOverlay.NONE : newOverlay;
      overlay = shown;
      for (Status status : Status.values()) {
        boolean on = shown.status() == status;
        line.pseudoClassStateChanged(status.pseudoClass(), on);
        label.pseudoClassStateChanged(status.pseudoClass(), on);
      }
      line.pseudoClassStateChanged(RegionNode.SELECTED, selected);
      line.pseudoClassStateChanged(RegionNode.DIMMED, shown.dimmed());
      label.pseudoClassStateChanged(RegionNode.DIMMED, shown.dimmed());
      width = Double.isNaN(shown.widthPx()) ? LINK_WIDTH_DEFAULT_PX : shown.widthPx();
      String text = formatRtt(link.rttMs());
      if (shown.badge() != null && !shown.badge().isEmpty()) {
        text += " · " + shown.badge();
      }
      label.setText(text);
      hit.setAccessibleText("Link " + key + ", " + text
          + (shown.status() == null ? "" : ", " + shown.status().displayName()));
      if (shown.pulse() != pulsing) {
        pulsing = shown.pulse();
        line.pseudoClassStateChanged(RegionNode.PULSING, pulsing);
      }
      // Pulse by width, which code owns, rather than opacity, which the stylesheet owns.
      line.strokeWidthProperty().unbind();
      if (pulsing) {
        double base = width;
        line.strokeWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(
            () -> base * (1 + pulsePhase.get()), pulsePhase));
      } else {
        line.setStrokeWidth(width);
      }
    }

    boolean isFlowing() {
      return flow != null && flow.isVisible();
    }

    void applyFlow(LinkFlow value) {
      if (value == null) {
        if (flow != null) {
          flow.setVisible(false);
        }
        return;
      }
      if (flow == null) {
        flow = new QuadCurve(line.getStartX(), line.getStartY(), line.getControlX(),
            line.getControlY(), line.getEndX(), line.getEndY());
        flow.getStyleClass().add("link-flow");
        flow.setFill(null);
        flow.setMouseTransparent(true);
        // In link order is not needed to draw; the next rebuild puts the layer in link order.
        linkFlowLayer.getChildren().add(flow);
      }
      double gap = PARTICLE_GAP_MAX_PX
          - (PARTICLE_GAP_MAX_PX - PARTICLE_GAP_MIN_PX) * value.density();
      particlePeriod = PARTICLE_LENGTH_PX + gap;
      flow.getStrokeDashArray().setAll(PARTICLE_LENGTH_PX, gap);
      flowForward = value.source().equals(link.a());
      flow.setAccessibleText("Flow " + key + " from " + value.source());
      flow.setVisible(true);
    }

    void place(double x0, double y0, double cx, double cy, double x2, double y2) {
      if (flow != null) {
        flow.setStartX(x0);
        flow.setStartY(y0);
        flow.setControlX(cx);
        flow.setControlY(cy);
        flow.setEndX(x2);
        flow.setEndY(y2);
      }
      line.setStartX(x0);
      line.setStartY(y0);
      line.setControlX(cx);
      line.setControlY(cy);
      line.setEndX(x2);
      line.setEndY(y2);
      hit.setStartX(x0);
      hit.setStartY(y0);
      hit.setControlX(cx);
      hit.setControlY(cy);
      hit.setEndX(x2);
      hit.setEndY(y2);
    }

    void placeWrap(double x0, double y0, double cx, double cy, double x2, double y2) {
      wrapLine.setStartX(x0);
      wrapLine.setStartY(y0);
      wrapLine.setControlX(cx);
      wrapLine.setControlY(cy);
      wrapLine.setEndX(x2);
      wrapLine.setEndY(y2);
      wrapHit.setStartX(x0);
      wrapHit.setStartY(y0);
      wrapHit.setControlX(cx);
      wrapHit.setControlY(cy);
      wrapHit.setEndX(x2);
      wrapHit.setEndY(y2);
    }
  }

  /**
   * @param rttMs round-trip time
   * @return {@code "7.5 ms"} below ten milliseconds, {@code "84 ms"} above
   */
  static String formatRtt(double rttMs) {
    return io.meridian.visualization.chart.Figures.millis(rttMs);
  }
}
