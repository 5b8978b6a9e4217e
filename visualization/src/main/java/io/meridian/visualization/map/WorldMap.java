package io.meridian.visualization.map;

import io.meridian.visualization.projection.EqualEarthProjection;
import io.meridian.visualization.projection.MapProjection;
import io.meridian.visualization.projection.ProjectedBounds;
import java.util.List;
import java.util.Optional;
import javafx.animation.Interpolator;
import javafx.animation.KeyFrame;
import javafx.animation.KeyValue;
import javafx.animation.AnimationTimer;
import javafx.animation.Timeline;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableSet;
import javafx.css.CssMetaData;
import javafx.css.Styleable;
import javafx.css.StyleableDoubleProperty;
import javafx.css.StyleableProperty;
import javafx.css.converter.SizeConverter;
import javafx.geometry.Point2D;
import javafx.scene.control.Control;
import javafx.scene.control.Skin;
import javafx.util.Duration;

/**
 * A world map in the Equal Earth projection with country outlines, pan and zoom.
 *
 * <p>Input: drag to pan, mouse wheel or pinch to zoom about the pointer, double-click to
 * zoom in, and with focus {@code +}/{@code -} to zoom, arrow keys to pan, {@code 0} or
 * {@code Home} to fit all. Programmatic moves ({@link #fitAll()}, {@link
 * #centerOn(GeoPosition, double)}) are animated unless {@link #animatedProperty()} is off.
 *
 * <p>Styling: style class {@value #STYLE_CLASS}; the ocean is {@code .sphere}, meridians
 * and parallels {@code .graticule}, countries {@code .country}; pseudo-class {@code
 * :panning} while dragging. Country borders keep the screen width given by the CSS
 * property {@code -meridian-border-width} at every zoom. Colours come from the looked-up
 * colours at the top of the bundled stylesheet; add style class {@code dark} for a dark
 * theme.
 *
 * <p>The country data loads once per JVM on a background thread; {@link
 * #mapLoadedProperty()} turns true when the countries are on screen.
 */
public class WorldMap extends Control {

  /** The style class of every world map. */
  public static final String STYLE_CLASS = "world-map";

  /** The smallest zoom: half the size at which the whole world fits. */
  public static final double ZOOM_MIN = 0.5;

  /** The largest zoom, relative to the whole world fitting the view. */
  public static final double ZOOM_MAX = 512;

  /** Free margin in pixels around what {@link #fitAll()} shows. */
  public static final double FIT_PADDING_PX = 32;

  /**
   * How long after the last {@link #panBy} or {@link #zoomBy} the map counts as still moving
   * (see {@link #movingProperty()}).
   */
  public static final double MOVING_SETTLE_MILLIS = 180;

  private static final Duration TRANSITION_DURATION = Duration.millis(350);
  private static final String STYLESHEET =
      WorldMap.class.getResource("/io/meridian/visualization/visualization.css")
          .toExternalForm();

  private final ReadOnlyObjectWrapper<MapViewport> viewport =
      new ReadOnlyObjectWrapper<>(this, "viewport");
  private final ReadOnlyDoubleWrapper zoom = new ReadOnlyDoubleWrapper(this, "zoom", 1);
  private final BooleanProperty animated = new SimpleBooleanProperty(this, "animated", true);
  final ReadOnlyBooleanWrapper mapLoaded = new ReadOnlyBooleanWrapper(this, "mapLoaded");
  private final ReadOnlyBooleanWrapper moving = new ReadOnlyBooleanWrapper(this, "moving");
  private final BooleanProperty cachedWhileMoving =
      new SimpleBooleanProperty(this, "cachedWhileMoving", true);
  private final BooleanProperty mapCachedAtRest =
      new SimpleBooleanProperty(this, "mapCachedAtRest", true);
  // Ends the movement once MOVING_SETTLE_MILLIS of pulse time and at least two whole pulses
  // have passed without a pan or zoom. Counting pulses too matters when frames are slow: a
  // single long frame would otherwise look like a pause in the middle of a drag.
  private boolean movedSincePulse;
  private int quietPulses;
  private long lastMovePulseNanos;
  private final AnimationTimer settle = new AnimationTimer() {
    @Override
    public void handle(long now) {
      if (movedSincePulse) {
        movedSincePulse = false;
        quietPulses = 0;
        lastMovePulseNanos = now;
      } else if (++quietPulses >= 2
          && now - lastMovePulseNanos >= MOVING_SETTLE_MILLIS * 1_000_000) {
        stopMoving();
      }
    }
  };
  private final StyleableDoubleProperty borderWidth = new StyleableDoubleProperty(0.6) {
    @Override
    public Object getBean() {
      return WorldMap.this;
    }

    @Override
    public String getName() {
      return "borderWidth";
    }

    @Override
    public CssMetaData<WorldMap, Number> getCssMetaData() {
      return StyleableProperties.BORDER_WIDTH;
    }
  };

  private final ObservableSet<String> highlightedCountries = FXCollections.observableSet();
  private final DoubleProperty transitionFraction = new SimpleDoubleProperty();
  private Timeline transition;
  private MapViewport transitionStart;
  private MapViewport transitionTarget;
  // Requests made before the first layout, when the size is still unknown.
  private ProjectedBounds pendingFit;
  private double pendingCenterX;
  private double pendingCenterY;
  private double pendingZoom = Double.NaN;

  /** Creates a map that fits its content when it is first laid out. */
  public WorldMap() {
    getStyleClass().add(STYLE_CLASS);
    setFocusTraversable(true);
    viewport.addListener((observable, before, after) -> updateZoom());
    widthProperty().addListener((observable, before, after) -> updateZoom());
    heightProperty().addListener((observable, before, after) -> updateZoom());
    transitionFraction.addListener((observable, before, after) -> {
      if (transitionStart != null && transitionTarget != null) {
        setViewportConstrained(transitionStart.interpolate(transitionTarget,
            after.doubleValue()));
      }
    });
  }

  @Override
  protected Skin<?> createDefaultSkin() {
    return new WorldMapSkin(this);
  }

  @Override
  public String getUserAgentStylesheet() {
    return STYLESHEET;
  }

  /** @return the projection this map draws with (Equal Earth) */
  public MapProjection getProjection() {
    return EqualEarthProjection.INSTANCE;
  }

  /**
   * What is on screen; {@code null} until the map has been laid out once.
   *
   * @return the viewport property
   */
  public ReadOnlyObjectProperty<MapViewport> viewportProperty() {
    return viewport.getReadOnlyProperty();
  }

  /** @return the current viewport, or {@code null} before the first layout */
  public MapViewport getViewport() {
    return viewport.get();
  }

  /**
   * Jumps to a viewport at once (no animation), within the zoom limits.
   *
   * @param newViewport where to go
   */
  public void setViewport(MapViewport newViewport) {
    stopTransition();
    stopMoving();
    clearPending();
    setViewportConstrained(newViewport);
  }

  /**
   * True while the user pans or zooms: from a {@link #panBy} or {@link #zoomBy} (drag, wheel,
   * pinch, keys) until {@value #MOVING_SETTLE_MILLIS} ms of pulses, and at least two pulses,
   * have passed without one. A programmatic
   * move ({@link #setViewport}, {@link #fitAll()}, {@link #centerOn}) ends it at once.
   *
   * @return the moving property
   */
  public ReadOnlyBooleanProperty movingProperty() {
    return moving.getReadOnlyProperty();
  }

  /** @return whether the user is panning or zooming right now */
  public boolean isMoving() {
    return moving.get();
  }

  /**
   * Whether the skin shows a bitmap of the map and its overlays while {@linkplain
   * #movingProperty() moving} instead of redrawing every outline and arc each frame (on by
   * default). Panning then moves the bitmap, zooming scales it, and the vector drawing comes
   * back when the movement settles. Off is for comparison in benchmarks.
   *
   * @return the property
   */
  public BooleanProperty cachedWhileMovingProperty() {
    return cachedWhileMoving;
  }

  /** @return whether the map is drawn from a bitmap while moving */
  public boolean isCachedWhileMoving() {
    return cachedWhileMoving.get();
  }

  /** @param cached whether to draw from a bitmap while moving */
  public void setCachedWhileMoving(boolean cached) {
    cachedWhileMoving.set(cached);
  }

  /**
   * Whether the countries are kept as a bitmap between movements while zoomed out (on by
   * default), so frames that change only what is drawn above the map (live particles, overlay
   * updates) do not rasterise every outline again. Off is for comparison in benchmarks.
   *
   * @return the property
   */
  public BooleanProperty mapCachedAtRestProperty() {
    return mapCachedAtRest;
  }

  /** @return whether the countries are kept as a bitmap between movements */
  public boolean isMapCachedAtRest() {
    return mapCachedAtRest.get();
  }

  /** @param cached whether to keep the countries as a bitmap between movements */
  public void setMapCachedAtRest(boolean cached) {
    mapCachedAtRest.set(cached);
  }

  /**
   * How far the map is zoomed: 1 when the whole world just fits the view, 2 when twice as
   * large. Between {@value #ZOOM_MIN} and {@value #ZOOM_MAX}.
   *
   * @return the zoom property
   */
  public ReadOnlyDoubleProperty zoomProperty() {
    return zoom.getReadOnlyProperty();
  }

  /** @return the current zoom */
  public double getZoom() {
    return zoom.get();
  }

  /**
   * Whether {@link #fitAll()}, {@link #fitWorld()} and {@link #centerOn} move smoothly.
   * Direct input (wheel, drag, keys) always applies at once. Default {@code true}.
   *
   * @return the property
   */
  public BooleanProperty animatedProperty() {
    return animated;
  }

  /** @return whether programmatic moves are animated */
  public boolean isAnimated() {
    return animated.get();
  }

  /** @param value whether programmatic moves are animated */
  public void setAnimated(boolean value) {
    animated.set(value);
  }

  /**
   * Whether the country outlines have loaded and are drawn.
   *
   * @return the property, {@code true} once loaded
   */
  public ReadOnlyBooleanProperty mapLoadedProperty() {
    return mapLoaded.getReadOnlyProperty();
  }

  /** @return whether the country outlines are drawn */
  public boolean isMapLoaded() {
    return mapLoaded.get();
  }

  /**
   * Countries drawn highlighted (pseudo-class {@code :highlighted} on their {@code .country}
   * shape), named by ISO 3166-1 numeric code as in {@link WorldMapData.Country#isoNumeric()},
   * for example {@code "276"} for Germany. The studio uses it to shade the countries a
   * dataset may live in.
   *
   * @return the live set
   */
  public ObservableSet<String> getHighlightedCountries() {
    return highlightedCountries;
  }

  /**
   * Country border width in screen pixels, at every zoom. CSS: {@code -meridian-border-width}.
   *
   * @return the property
   */
  public DoubleProperty borderWidthProperty() {
    return borderWidth;
  }

  /** @return the border width in pixels */
  public double getBorderWidth() {
    return borderWidth.get();
  }

  /** @param value the border width in pixels */
  public void setBorderWidth(double value) {
    borderWidth.set(value);
  }

  /**
   * Shows everything this map is about, as large as fits: the whole world for a plain map,
   * the regions for a topology graph. Before the first layout the fit happens on layout.
   * The world fit keeps {@link #FIT_PADDING_PX} free, since the world bounds need no room
   * for labels.
   */
  public void fitAll() {
    fitTo(contentBounds());
  }

  /** Shows the whole world. */
  public void fitWorld() {
    if (!hasSize()) {
      fitTo(getProjection().worldBounds());
      return;
    }
    moveTo(MapViewport.fit(getProjection().worldBounds(), getWidth(), getHeight(),
        FIT_PADDING_PX, worldFitScale() * ZOOM_MAX));
  }

  /**
   * Moves the view so that {@code bounds} fills it, as far as the zoom limits allow.
   *
   * @param bounds what to show, in projected coordinates
   */
  public void fitTo(ProjectedBounds bounds) {
    if (!hasSize()) {
      clearPending();
      pendingFit = bounds;
      requestLayout();
      return;
    }
    moveTo(MapViewport.fit(bounds, getWidth(), getHeight(), fitPaddingPx(),
        worldFitScale() * fitZoomMax()));
  }

  /**
   * Zooms about the centre of the view.
   *
   * @param factor more than one zooms in
   */
  public void zoomBy(double factor) {
    zoomBy(factor, getWidth() / 2, getHeight() / 2);
  }

  /**
   * Zooms while the point under {@code (x, y)} stays put.
   *
   * @param factor more than one zooms in
   * @param x x in this control's coordinates
   * @param y y in this control's coordinates
   */
  public void zoomBy(double factor, double x, double y) {
    MapViewport current = getViewport();
    if (current == null || !(factor > 0)) {
      return;
    }
    stopTransition();
    markMoving();
    setViewportConstrained(current.zoomedAt(factor, x, y, getWidth(), getHeight()));
  }

  /**
   * Pans so that the content follows a drag.
   *
   * @param dxPx pixels to the right
   * @param dyPx pixels down
   */
  public void panBy(double dxPx, double dyPx) {
    MapViewport current = getViewport();
    if (current == null) {
      return;
    }
    stopTransition();
    markMoving();
    setViewportConstrained(current.pannedBy(dxPx, dyPx));
  }

  /**
   * Centres the view on a place, keeping the zoom.
   *
   * @param position where
   */
  public void centerOn(GeoPosition position) {
    centerOn(position, getViewport() == null ? 1 : getZoom());
  }

  /**
   * Centres the view on a place at a given zoom.
   *
   * @param position where
   * @param newZoom zoom as in {@link #zoomProperty()}
   */
  public void centerOn(GeoPosition position, double newZoom) {
    double[] xy = getProjection().project(position.longitude(), position.latitude());
    centerOnProjected(xy[0], xy[1], newZoom);
  }

  /**
   * Centres the view on a projected point at a given zoom.
   *
   * @param x projected x
   * @param y projected y
   * @param newZoom zoom as in {@link #zoomProperty()}
   */
  protected void centerOnProjected(double x, double y, double newZoom) {
    if (!hasSize()) {
      clearPending();
      pendingCenterX = x;
      pendingCenterY = y;
      pendingZoom = newZoom;
      requestLayout();
      return;
    }
    moveTo(new MapViewport(x, y, worldFitScale() * newZoom));
  }

  /**
   * Where a place is on screen.
   *
   * @param position the place
   * @return its point in this control's coordinates, or empty before the first layout
   */
  public Optional<Point2D> toLocal(GeoPosition position) {
    MapViewport current = getViewport();
    if (current == null) {
      return Optional.empty();
    }
    double[] xy = getProjection().project(position.longitude(), position.latitude());
    return Optional.of(new Point2D(current.screenX(xy[0], getWidth()),
        current.screenY(xy[1], getHeight())));
  }

  /**
   * Which place is under a point, for example to add a region where the user clicked.
   *
   * @param x x in this control's coordinates
   * @param y y in this control's coordinates
   * @return the place, or empty if the point is off the globe or before the first layout
   */
  public Optional<GeoPosition> toGeoPosition(double x, double y) {
    MapViewport current = getViewport();
    if (current == null) {
      return Optional.empty();
    }
    double[] lonLat = new double[2];
    if (!getProjection().invert(current.projectedX(x, getWidth()),
        current.projectedY(y, getHeight()), lonLat, 0)) {
      return Optional.empty();
    }
    return Optional.of(new GeoPosition(lonLat[0], lonLat[1]));
  }

  /**
   * The projected bounds {@link #fitAll()} shows; subclasses narrow it to their content.
   *
   * @return the whole world here
   */
  protected ProjectedBounds contentBounds() {
    return getProjection().worldBounds();
  }

  /**
   * The most {@link #fitTo} zooms in; subclasses lower it so a single point is not blown up.
   *
   * @return {@link #ZOOM_MAX} here
   */
  protected double fitZoomMax() {
    return ZOOM_MAX;
  }

  /**
   * The margin {@link #fitTo} keeps free around the fitted bounds.
   *
   * @return {@link #FIT_PADDING_PX} here
   */
  protected double fitPaddingPx() {
    return FIT_PADDING_PX;
  }

  /** @return the scale at which the whole world fits the current size */
  protected double worldFitScale() {
    return MapViewport.fit(getProjection().worldBounds(), getWidth(), getHeight(),
        FIT_PADDING_PX, Double.MAX_VALUE).scale();
  }

  /**
   * Called by the skin on layout: once the size is known, carries out a fit or centring
   * asked for earlier, or fits the content if there is no viewport yet.
   */
  void ensureViewport() {
    if (!hasSize()) {
      return;
    }
    if (pendingFit != null) {
      setViewportConstrained(MapViewport.fit(pendingFit, getWidth(), getHeight(),
          fitPaddingPx(), worldFitScale() * fitZoomMax()));
    } else if (!Double.isNaN(pendingZoom)) {
      setViewportConstrained(new MapViewport(pendingCenterX, pendingCenterY,
          worldFitScale() * pendingZoom));
    } else if (getViewport() == null) {
      setViewportConstrained(MapViewport.fit(contentBounds(), getWidth(), getHeight(),
          fitPaddingPx(), worldFitScale() * fitZoomMax()));
    }
    clearPending();
  }

  private void clearPending() {
    pendingFit = null;
    pendingZoom = Double.NaN;
  }

  private void moveTo(MapViewport target) {
    stopTransition();
    stopMoving();
    MapViewport current = getViewport();
    if (!isAnimated() || current == null || getScene() == null) {
      setViewportConstrained(target);
      return;
    }
    transitionStart = current;
    transitionTarget = target;
    transitionFraction.set(0);
    transition = new Timeline(new KeyFrame(TRANSITION_DURATION,
        new KeyValue(transitionFraction, 1, Interpolator.EASE_BOTH)));
    transition.setOnFinished(event -> stopTransition());
    transition.play();
  }

  private void markMoving() {
    movedSincePulse = true;
    if (!moving.get()) {
      quietPulses = 0;
      lastMovePulseNanos = Long.MAX_VALUE / 2;
      moving.set(true);
      settle.start();
    }
  }

  private void stopMoving() {
    settle.stop();
    moving.set(false);
  }

  private void stopTransition() {
    if (transition != null) {
      Timeline running = transition;
      transition = null;
      running.stop();
    }
    transitionStart = null;
    transitionTarget = null;
  }

  private void setViewportConstrained(MapViewport candidate) {
    if (hasSize()) {
      double fit = worldFitScale();
      candidate = candidate.constrained(fit * ZOOM_MIN, fit * ZOOM_MAX,
          getProjection().worldBounds());
    }
    viewport.set(candidate);
  }

  private boolean hasSize() {
    return getWidth() > 0 && getHeight() > 0;
  }

  private void updateZoom() {
    MapViewport current = getViewport();
    if (current != null && hasSize()) {
      zoom.set(current.scale() / worldFitScale());
    }
  }

  /**
   * The CSS properties of this control.
   *
   * @return the control's own and inherited CSS metadata
   */
  public static List<CssMetaData<? extends Styleable, ?>> getClassCssMetaData() {
    return StyleableProperties.ALL;
  }

  @Override
  public List<CssMetaData<? extends Styleable, ?>> getControlCssMetaData() {
    return getClassCssMetaData();
  }

  private static final class StyleableProperties {
    private static final CssMetaData<WorldMap, Number> BORDER_WIDTH =
        new CssMetaData<>("-meridian-border-width", SizeConverter.getInstance(), 0.6) {
          @Override
          public boolean isSettable(WorldMap map) {
            return !map.borderWidth.isBound();
          }

          @Override
          @SuppressWarnings("unchecked")
          public StyleableProperty<Number> getStyleableProperty(WorldMap map) {
            return map.borderWidth;
          }
        };

    private static final List<CssMetaData<? extends Styleable, ?>> ALL;

    static {
      List<CssMetaData<? extends Styleable, ?>> all =
          new java.util.ArrayList<>(Control.getClassCssMetaData());
      all.add(BORDER_WIDTH);
      ALL = List.copyOf(all);
    }
  }
}
