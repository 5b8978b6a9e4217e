package io.meridian.visualization.map;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.application.Platform;
import javafx.beans.InvalidationListener;
import javafx.collections.SetChangeListener;
import javafx.css.PseudoClass;
import javafx.event.EventHandler;
import javafx.geometry.Rectangle2D;
import javafx.scene.Group;
import javafx.scene.SnapshotParameters;
import javafx.scene.image.ImageView;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyEvent;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.input.ScrollEvent;
import javafx.scene.input.ZoomEvent;
import javafx.scene.paint.Color;
import javafx.scene.shape.FillRule;
import javafx.scene.shape.Rectangle;
import javafx.scene.shape.SVGPath;
import javafx.scene.transform.Affine;
import javafx.scene.transform.Transform;
import javafx.stage.Window;

/**
 * The default skin of {@link WorldMap}: the projected globe, graticule and countries in one
 * group under a single scale-and-translate transform, so pan and zoom change one transform
 * and nothing else. Subclasses add layers above the map with {@link #getOverlayLayer()}.
 *
 * <p>While the user pans or zooms ({@link WorldMap#movingProperty()}), the map and the
 * overlay layer are drawn once into a bitmap a quarter of the view larger on every side, and
 * each frame only moves (pan) or scales (zoom) that bitmap; the outlines and arcs are drawn
 * again when the bitmap no longer covers the view or is scaled by more than {@value
 * #MOTION_SCALE_RATIO_MAX}, and as vectors when the movement settles. Software rendering
 * otherwise rasterises every country outline and arc on every frame. The layers stay under
 * the bitmap at opacity 0; a subclass may leave its overlay unplaced while the bitmap covers
 * the view ({@link #isOverlayPlacementDeferrable()}).
 *
 * <p>Input handling lives here too: drag pans, wheel and pinch zoom about the pointer,
 * keys zoom, pan and fit.
 */
public class WorldMapSkin extends javafx.scene.control.SkinBase<WorldMap> {

  private static final PseudoClass PANNING = PseudoClass.getPseudoClass("panning");
  private static final PseudoClass HIGHLIGHTED = PseudoClass.getPseudoClass("highlighted");
  private static final double WHEEL_ZOOM_PER_PIXEL = Math.log(2) / 240;
  private static final double KEY_ZOOM_FACTOR = 1.5;
  private static final double KEY_PAN_PX = 80;
  private static final double DOUBLE_CLICK_ZOOM_FACTOR = 2;

  /** Extra bitmap around the view while moving, as a fraction of the view's size. */
  static final double MOTION_MARGIN_FRACTION = 0.25;

  /**
   * The map layer is cached as a bitmap at rest while the whole map at the current scale has
   * at most this many views' worth of pixels (see layoutChildren).
   */
  static final double MAP_CACHE_VIEWS_MAX = 4;

  /** A moving bitmap scaled by more than this (or less than its inverse) is redrawn. */
  static final double MOTION_SCALE_RATIO_MAX = 1.4;

  /**
   * While the whole world at the current scale (with {@link #MOTION_WORLD_PAD_PX} around it)
   * has at most this many views' worth of pixels, the moving bitmap holds the whole world
   * rather than the view and its margin: a pan then never needs a redraw, nor a zoom out down
   * to {@code 1 / MOTION_SCALE_RATIO_MAX²} (ADR 0032). The view and margin hold 2.25 views, so
   * such a draw costs at most a third more than the usual one.
   */
  static final double MOTION_WORLD_VIEWS_MAX = 3;

  /** Room around the world in a whole-world moving bitmap, for labels at its edges. */
  static final double MOTION_WORLD_PAD_PX = 80;

  private final Group mapLayer = new Group();
  private final Group countryLayer = new Group();
  private final SVGPath sphere = new SVGPath();
  private final SVGPath graticule = new SVGPath();
  private final Group overlayLayer = new Group();
  private final Group content = new Group();
  private final ImageView motionImage = new ImageView();
  private final Affine motionImageTransform = new Affine();
  private WritableImage motionBitmap;
  private boolean motionActive;
  private double motionScale;
  private double motionTx;
  private double motionTy;
  private double motionOriginX;
  private double motionOriginY;
  private boolean motionWholeWorld;
  private double motionRenderScale;
  private double motionImageWidth;
  private double motionImageHeight;
  private long motionRedraws;
  private boolean motionBitmapCovers;
  private final InvalidationListener movingListener = observable -> {
    if (!getSkinnable().isMoving()) {
      endMotion();
    }
  };
  private final Affine mapTransform = new Affine();
  private final Rectangle clip = new Rectangle();
  private final List<SVGPath> countries = new ArrayList<>();
  private final Map<String, List<SVGPath>> countriesByIso = new HashMap<>();
  private final SetChangeListener<String> highlightListener = change -> {
    if (change.wasRemoved()) {
      highlight(change.getElementRemoved(), false);
    }
    if (change.wasAdded()) {
      highlight(change.getElementAdded(), true);
    }
  };
  private final InvalidationListener relayout = observable -> getSkinnable().requestLayout();
  private double appliedScale = Double.NaN;
  private double appliedBorderWidth = Double.NaN;
  private double dragLastX;
  private double dragLastY;
  private boolean disposed;

  private final EventHandler<MouseEvent> pressHandler = this::onMousePressed;
  private final EventHandler<MouseEvent> dragHandler = this::onMouseDragged;
  private final EventHandler<MouseEvent> releaseHandler = this::onMouseReleased;
  private final EventHandler<MouseEvent> clickHandler = this::onMouseClicked;
  private final EventHandler<ScrollEvent> scrollHandler = this::onScroll;
  private final EventHandler<ZoomEvent> zoomHandler = this::onZoom;
  private final EventHandler<KeyEvent> keyHandler = this::onKeyPressed;

  /**
   * Creates the skin and starts drawing the countries once their data is ready.
   *
   * @param map the control
   */
  public WorldMapSkin(WorldMap map) {
    super(map);
    sphere.getStyleClass().add("sphere");
    graticule.getStyleClass().add("graticule");
    graticule.setFill(null);
    countryLayer.getStyleClass().add("countries");
    mapLayer.getChildren().addAll(sphere, graticule, countryLayer);
    mapLayer.getTransforms().add(mapTransform);
    mapLayer.setMouseTransparent(true);
    overlayLayer.setManaged(false);
    content.setManaged(false);
    content.getChildren().addAll(mapLayer, overlayLayer);
    motionImage.getStyleClass().add("motion-bitmap");
    motionImage.setManaged(false);
    motionImage.setMouseTransparent(true);
    motionImage.setVisible(false);
    // Nearest-neighbour scaling: the software pipeline filters every pixel of a smoothed
    // scaled image on the CPU, and the bitmap is only seen for the length of a gesture.
    motionImage.setSmooth(false);
    motionImage.getTransforms().add(motionImageTransform);
    getChildren().addAll(content, motionImage);
    map.setClip(clip);
    map.movingProperty().addListener(movingListener);

    map.viewportProperty().addListener(relayout);
    map.mapCachedAtRestProperty().addListener(relayout);
    map.borderWidthProperty().addListener(relayout);
    map.getHighlightedCountries().addListener(highlightListener);
    map.addEventHandler(MouseEvent.MOUSE_PRESSED, pressHandler);
    map.addEventHandler(MouseEvent.MOUSE_DRAGGED, dragHandler);
    map.addEventHandler(MouseEvent.MOUSE_RELEASED, releaseHandler);
    map.addEventHandler(MouseEvent.MOUSE_CLICKED, clickHandler);
    map.addEventHandler(ScrollEvent.SCROLL, scrollHandler);
    map.addEventHandler(ZoomEvent.ZOOM, zoomHandler);
    map.addEventHandler(KeyEvent.KEY_PRESSED, keyHandler);

    WorldMapGeometry.equalEarth().whenComplete((geometry, failure) -> Platform.runLater(() -> {
      if (failure != null) {
        // Surface the broken resource through the FX thread's uncaught-exception handler;
        // the map stays usable without countries.
        throw new IllegalStateException("cannot draw the world map", failure);
      }
      install(geometry);
    }));
  }

  /**
   * The layer above the map where subclasses put screen-space content (nodes, labels).
   * It is not managed: subclasses position its children in {@link #layoutChildren}.
   *
   * @return the overlay group
   */
  protected Group getOverlayLayer() {
    return overlayLayer;
  }

  @Override
  public void dispose() {
    if (disposed) {
      return;
    }
    disposed = true;
    WorldMap map = getSkinnable();
    map.viewportProperty().removeListener(relayout);
    map.mapCachedAtRestProperty().removeListener(relayout);
    map.movingProperty().removeListener(movingListener);
    endMotion();
    map.borderWidthProperty().removeListener(relayout);
    map.getHighlightedCountries().removeListener(highlightListener);
    map.removeEventHandler(MouseEvent.MOUSE_PRESSED, pressHandler);
    map.removeEventHandler(MouseEvent.MOUSE_DRAGGED, dragHandler);
    map.removeEventHandler(MouseEvent.MOUSE_RELEASED, releaseHandler);
    map.removeEventHandler(MouseEvent.MOUSE_CLICKED, clickHandler);
    map.removeEventHandler(ScrollEvent.SCROLL, scrollHandler);
    map.removeEventHandler(ZoomEvent.ZOOM, zoomHandler);
    map.removeEventHandler(KeyEvent.KEY_PRESSED, keyHandler);
    map.setClip(null);
    super.dispose();
  }

  @Override
  protected void layoutChildren(double x, double y, double width, double height) {
    WorldMap map = getSkinnable();
    clip.setWidth(map.getWidth());
    clip.setHeight(map.getHeight());
    map.ensureViewport();
    MapViewport viewport = map.getViewport();
    if (viewport == null) {
      return;
    }
    boolean cache = map.isMoving() && map.isCachedWhileMoving() && map.isMapLoaded()
        && !Double.isNaN(appliedScale);
    if (cache && !motionActive) {
      // The layers still show the previous viewport: draw that once, then move the bitmap.
      motionActive = true;
      drawMotionBitmap(map.getWidth(), map.getHeight());
    } else if (!cache && motionActive) {
      endMotion();
    }
    double scale = viewport.scale();
    // screen = (x - cx) * s + w / 2 ; screen = (-y' - (-cy)) * s + h / 2 where y' = -y
    // Whole-pixel translation: the software pipeline filters a cached bitmap drawn at a
    // fractional offset instead of copying it, which live particles pay every frame (ADR 0025).
    mapTransform.setToTransform(scale, 0,
        Math.rint(map.getWidth() / 2 - viewport.centerX() * scale), 0, scale,
        Math.rint(map.getHeight() / 2 + viewport.centerY() * scale));
    if (!motionActive) {
      // While the bitmap shows, the outlines keep their widths until it is drawn again: a new
      // stroke width makes every country's bounds be computed anew, on every zoom step.
      applyStrokeWidths(scale);
    }
    // At rest, the map (not the graph above it) is kept as a bitmap by JavaFX, so frames that
    // change only the graph (live particles, overlay updates, selection) do not rasterise the
    // countries again. The bitmap covers the whole map at the current scale, so only while it
    // stays within a few views' worth of pixels (zoomed out, any window size).
    double worldPixels = map.getProjection().worldBounds().width() * scale
        * map.getProjection().worldBounds().height() * scale;
    mapLayer.setCache(map.isMapCachedAtRest()
        && worldPixels <= MAP_CACHE_VIEWS_MAX * map.getWidth() * map.getHeight());
    if (motionActive) {
      // While the moving bitmap covers the view, the overlay may wait with its placement (it is
      // invisible); when the bitmap must be drawn again, the overlay is placed first.
      motionBitmapCovers = placeMotionImage(map.getWidth(), map.getHeight());
      layoutOverlay(viewport, map.getWidth(), map.getHeight());
      if (!motionBitmapCovers) {
        drawMotionBitmap(map.getWidth(), map.getHeight());
        placeMotionImage(map.getWidth(), map.getHeight());
        motionBitmapCovers = true;
      }
    } else {
      layoutOverlay(viewport, map.getWidth(), map.getHeight());
    }
  }

  /**
   * Whether the overlay layer is hidden under a moving bitmap that covers the view, so that
   * {@link #layoutOverlay} may leave its content where it is until the bitmap must be drawn
   * again or the movement ends (both call it again with this false). A subclass that defers
   * must place its content on demand when asked for positions (hit tests) in the meantime.
   *
   * @return true while the overlay is not seen and need not follow the viewport
   */
  protected final boolean isOverlayPlacementDeferrable() {
    return motionActive && motionBitmapCovers;
  }

  /** Sets the border widths for a scale, when it or the CSS width changed. */
  private void applyStrokeWidths(double scale) {
    double borderWidth = getSkinnable().getBorderWidth();
    if (scale != appliedScale || borderWidth != appliedBorderWidth) {
      appliedScale = scale;
      appliedBorderWidth = borderWidth;
      // Strokes scale with the transform; dividing keeps borders the same on screen.
      double strokeWidth = borderWidth / scale;
      for (SVGPath country : countries) {
        country.setStrokeWidth(strokeWidth);
      }
      graticule.setStrokeWidth(strokeWidth);
      sphere.setStrokeWidth(strokeWidth * 2);
    }
  }

  /**
   * How many times the moving bitmap was drawn since this skin was made (for benchmarks: each
   * draw is a frame that rasterises everything).
   *
   * @return the count
   */
  public long getMotionRedraws() {
    return motionRedraws;
  }

  /** Draws the layers as they are placed now into the moving bitmap, then hides them. */
  private void drawMotionBitmap(double width, double height) {
    Window window = getSkinnable().getScene() == null ? null
        : getSkinnable().getScene().getWindow();
    double renderScale = window == null ? 1 : Math.max(1, window.getOutputScaleX());
    double margin = Math.ceil(Math.max(width, height) * MOTION_MARGIN_FRACTION);
    // The area to draw, in the control's coordinates: the view and a margin, or the whole world
    // when that is small enough (zoomed out), so that panning never runs off its edge.
    double left = -margin;
    double top = -margin;
    double right = width + margin;
    double bottom = height + margin;
    double scale = mapTransform.getMxx();
    ProjectedWorld world = projectedWorld(scale);
    motionWholeWorld = world.area() <= MOTION_WORLD_VIEWS_MAX * width * height;
    if (motionWholeWorld) {
      left = Math.floor(world.left());
      top = Math.floor(world.top());
      right = Math.ceil(world.right());
      bottom = Math.ceil(world.bottom());
    }
    int pixelWidth = (int) Math.ceil((right - left) * renderScale);
    int pixelHeight = (int) Math.ceil((bottom - top) * renderScale);
    if (motionBitmap == null || (int) motionBitmap.getWidth() != pixelWidth
        || (int) motionBitmap.getHeight() != pixelHeight) {
      motionBitmap = new WritableImage(pixelWidth, pixelHeight);
    }
    applyStrokeWidths(mapTransform.getMxx());
    SnapshotParameters parameters = new SnapshotParameters();
    parameters.setFill(Color.TRANSPARENT);
    parameters.setTransform(Transform.scale(renderScale, renderScale));
    parameters.setViewport(new Rectangle2D(left * renderScale, top * renderScale,
        pixelWidth, pixelHeight));
    content.setOpacity(1);
    content.snapshot(parameters, motionBitmap);
    content.setOpacity(0);
    motionRedraws++;
    motionScale = mapTransform.getMxx();
    motionTx = mapTransform.getTx();
    motionTy = mapTransform.getTy();
    motionOriginX = left;
    motionOriginY = top;
    motionRenderScale = renderScale;
    motionImageWidth = pixelWidth / renderScale;
    motionImageHeight = pixelHeight / renderScale;
    motionImage.setImage(motionBitmap);
    motionImage.setVisible(true);
  }

  /**
   * Places the moving bitmap for the current map transform.
   *
   * @return false when it no longer covers the view or is scaled too far, so it must be redrawn
   */
  private boolean placeMotionImage(double width, double height) {
    double ratio = mapTransform.getMxx() / motionScale;
    // A bitmap pixel u was at screen u / renderScale + origin when drawn; the world point
    // under it is now at ratio * (that - drawn translation) + current translation.
    double x = mapTransform.getTx() - ratio * motionTx + ratio * motionOriginX;
    double y = mapTransform.getTy() - ratio * motionTy + ratio * motionOriginY;
    double right = x + ratio * motionImageWidth;
    double bottom = y + ratio * motionImageHeight;
    // A whole-world bitmap has nothing beyond its edges to miss, and shrinks without gaps.
    double ratioMin = motionWholeWorld ? 1 / (MOTION_SCALE_RATIO_MAX * MOTION_SCALE_RATIO_MAX)
        : 1 / MOTION_SCALE_RATIO_MAX;
    if (ratio > MOTION_SCALE_RATIO_MAX || ratio < ratioMin || (!motionWholeWorld
        && (x > 0 || y > 0 || right < width || bottom < height))) {
      return false;
    }
    double pixelScale = ratio / motionRenderScale;
    motionImageTransform.setToTransform(pixelScale, 0, x, 0, pixelScale, y);
    return true;
  }

  /** The world's rectangle in the control's coordinates at {@code scale}, padded. */
  private ProjectedWorld projectedWorld(double scale) {
    io.meridian.visualization.projection.ProjectedBounds world =
        getSkinnable().getProjection().worldBounds();
    // Projected y grows north; the map layer draws it flipped (see layoutChildren).
    return new ProjectedWorld(
        world.minX() * scale + mapTransform.getTx() - MOTION_WORLD_PAD_PX,
        -world.maxY() * scale + mapTransform.getTy() - MOTION_WORLD_PAD_PX,
        world.maxX() * scale + mapTransform.getTx() + MOTION_WORLD_PAD_PX,
        -world.minY() * scale + mapTransform.getTy() + MOTION_WORLD_PAD_PX);
  }

  private record ProjectedWorld(double left, double top, double right, double bottom) {
    double area() {
      return (right - left) * (bottom - top);
    }
  }

  /** Shows the vector layers again and drops the bitmap from the scene. */
  private void endMotion() {
    if (!motionActive) {
      return;
    }
    motionActive = false;
    motionBitmapCovers = false;
    content.setOpacity(1);
    motionImage.setVisible(false);
    motionImage.setImage(null);
    getSkinnable().requestLayout();
  }

  /**
   * Places screen-space content for the current viewport. Called on every layout pass in
   * which the map may have moved; the default does nothing.
   *
   * @param viewport the current viewport
   * @param width control width
   * @param height control height
   */
  protected void layoutOverlay(MapViewport viewport, double width, double height) {}

  private void install(WorldMapGeometry geometry) {
    if (disposed) {
      return;
    }
    sphere.setContent(geometry.sphere());
    graticule.setContent(geometry.graticule());
    List<SVGPath> shapes = new ArrayList<>(geometry.countries().size());
    for (WorldMapGeometry.CountryShape shape : geometry.countries()) {
      SVGPath path = new SVGPath();
      path.setContent(shape.svgPath());
      path.setFillRule(FillRule.EVEN_ODD);
      path.getStyleClass().add("country");
      path.getProperties().put("iso-numeric", shape.isoNumeric());
      path.setAccessibleText(shape.name());
      shapes.add(path);
    }
    countries.clear();
    countries.addAll(shapes);
    countriesByIso.clear();
    for (int i = 0; i < shapes.size(); i++) {
      countriesByIso.computeIfAbsent(geometry.countries().get(i).isoNumeric(),
          iso -> new ArrayList<>()).add(shapes.get(i));
    }
    for (String iso : getSkinnable().getHighlightedCountries()) {
      highlight(iso, true);
    }
    countryLayer.getChildren().setAll(shapes);
    appliedScale = Double.NaN;
    getSkinnable().mapLoaded.set(true);
    getSkinnable().requestLayout();
  }

  private void highlight(String isoNumeric, boolean on) {
    for (SVGPath country : countriesByIso.getOrDefault(isoNumeric, List.of())) {
      country.pseudoClassStateChanged(HIGHLIGHTED, on);
    }
  }

  private void onMousePressed(MouseEvent event) {
    if (event.getButton() != MouseButton.PRIMARY) {
      return;
    }
    getSkinnable().requestFocus();
    dragLastX = event.getX();
    dragLastY = event.getY();
  }

  private void onMouseDragged(MouseEvent event) {
    if (!event.isPrimaryButtonDown()) {
      return;
    }
    getSkinnable().pseudoClassStateChanged(PANNING, true);
    getSkinnable().panBy(event.getX() - dragLastX, event.getY() - dragLastY);
    dragLastX = event.getX();
    dragLastY = event.getY();
  }

  private void onMouseReleased(MouseEvent event) {
    getSkinnable().pseudoClassStateChanged(PANNING, false);
  }

  private void onMouseClicked(MouseEvent event) {
    if (event.getButton() == MouseButton.PRIMARY && event.getClickCount() == 2
        && event.isStillSincePress() && !event.isConsumed()) {
      getSkinnable().zoomBy(DOUBLE_CLICK_ZOOM_FACTOR, event.getX(), event.getY());
    }
  }

  private void onScroll(ScrollEvent event) {
    double delta = event.getDeltaY() != 0 ? event.getDeltaY() : event.getDeltaX();
    if (delta == 0) {
      return;
    }
    getSkinnable().zoomBy(Math.exp(delta * WHEEL_ZOOM_PER_PIXEL), event.getX(), event.getY());
    event.consume();
  }

  private void onZoom(ZoomEvent event) {
    getSkinnable().zoomBy(event.getZoomFactor(), event.getX(), event.getY());
    event.consume();
  }

  private void onKeyPressed(KeyEvent event) {
    WorldMap map = getSkinnable();
    switch (event.getCode()) {
      case PLUS, ADD, EQUALS -> map.zoomBy(KEY_ZOOM_FACTOR);
      case MINUS, SUBTRACT -> map.zoomBy(1 / KEY_ZOOM_FACTOR);
      case LEFT -> map.panBy(KEY_PAN_PX, 0);
      case RIGHT -> map.panBy(-KEY_PAN_PX, 0);
      case UP -> map.panBy(0, KEY_PAN_PX);
      case DOWN -> map.panBy(0, -KEY_PAN_PX);
      case DIGIT0, NUMPAD0, HOME -> map.fitAll();
      default -> {
        return;
      }
    }
    event.consume();
  }
}
