package io.meridian.visualization.map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.meridian.visualization.testing.Snapshots;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javafx.css.PseudoClass;
import javafx.scene.Node;
import javafx.event.Event;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.image.PixelReader;
import javafx.scene.image.WritableImage;
import javafx.scene.input.KeyCode;
import javafx.scene.paint.Color;
import javafx.scene.input.MouseButton;
import javafx.scene.input.ScrollEvent;
import javafx.scene.layout.StackPane;
import javafx.stage.Stage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/** Proves that the world map draws the bundled countries and follows wheel, drag, key and fit input headless. */
@ExtendWith(ApplicationExtension.class)
class WorldMapTest {

  private WorldMap map;
  private Stage stage;

  @Start
  void start(Stage stage) {
    this.stage = stage;
    map = new WorldMap();
    map.setAnimated(false);
    stage.setScene(new Scene(new StackPane(map), 800, 500));
    stage.show();
  }

  @Test
  void drawsTheBundledCountriesOnceLoaded(FxRobot robot) throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    assertThat(robot.lookup(".country").queryAll()).hasSizeGreaterThan(200);
    assertThat(robot.lookup(".sphere").tryQuery()).isPresent();
    Snapshots.write(robot, map, "world-map");
  }

  @Test
  void highlightedCountriesCarryThePseudoClass(FxRobot robot) throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    robot.interact(() -> map.getHighlightedCountries().addAll(Set.of("276", "250")));
    PseudoClass highlighted = PseudoClass.getPseudoClass("highlighted");
    assertThat(robot.lookup(".country").queryAll().stream()
        .filter(country -> country.getPseudoClassStates().contains(highlighted))
        .map(Node::getAccessibleText))
        .containsExactlyInAnyOrder("Germany", "France");
    robot.interact(() -> map.getHighlightedCountries().remove("250"));
    assertThat(robot.lookup(".country").queryAll().stream()
        .filter(country -> country.getPseudoClassStates().contains(highlighted)))
        .hasSize(1);
  }

  @Test
  void startsFittedToTheWholeWorld() {
    assertThat(map.getViewport()).isNotNull();
    assertThat(map.getZoom()).isCloseTo(1, within(1e-9));
  }

  @Test
  void wheelZoomsInAboutThePointer(FxRobot robot) {
    // Fired directly: the robot's wheel direction and step size differ between Monocle and
    // desktops, while a real wheel notch away from the user is +40 pixels of deltaY.
    Point2D berlin = map.toLocal(new GeoPosition(13.4, 52.5)).orElseThrow();
    Point2D screen = map.localToScreen(berlin);
    robot.interact(() -> Event.fireEvent(map, new ScrollEvent(ScrollEvent.SCROLL, berlin.getX(),
        berlin.getY(), screen.getX(), screen.getY(), false, false, false, false, false, false,
        0, 5 * 40, 0, 5 * 40, ScrollEvent.HorizontalTextScrollUnits.NONE, 0,
        ScrollEvent.VerticalTextScrollUnits.NONE, 0, 0, null)));
    assertThat(map.getZoom()).isGreaterThan(1.2);
    Point2D berlinAfter = map.toLocal(new GeoPosition(13.4, 52.5)).orElseThrow();
    assertThat(berlinAfter.distance(berlin)).isLessThan(1.5);
  }

  @Test
  void dragPansTheMapWithThePointer(FxRobot robot) {
    Point2D before = map.toLocal(new GeoPosition(0, 0)).orElseThrow();
    robot.drag(map.localToScreen(400, 250), MouseButton.PRIMARY).moveBy(120, 40).release(
        MouseButton.PRIMARY);
    WaitForAsyncUtils.waitForFxEvents();
    Point2D after = map.toLocal(new GeoPosition(0, 0)).orElseThrow();
    assertThat(after.getX() - before.getX()).isCloseTo(120, within(2.0));
    assertThat(after.getY() - before.getY()).isCloseTo(40, within(2.0));
  }

  @Test
  void plusAndMinusKeysZoomAndZeroFitsAgain(FxRobot robot) {
    robot.clickOn(map);
    robot.type(KeyCode.ADD);
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(map.getZoom()).isCloseTo(1.5, within(1e-6));
    robot.type(KeyCode.ADD);
    robot.type(KeyCode.SUBTRACT);
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(map.getZoom()).isCloseTo(1.5, within(1e-6));
    robot.type(KeyCode.RIGHT);
    robot.type(KeyCode.DIGIT0);
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(map.getZoom()).isCloseTo(1, within(1e-9));
    assertThat(map.getViewport().centerX()).isCloseTo(0, within(1e-9));
  }

  @Test
  void centreOnPutsThePlaceInTheMiddle(FxRobot robot) {
    robot.interact(() -> map.centerOn(new GeoPosition(139.7, 35.7), 8));
    Point2D tokyo = map.toLocal(new GeoPosition(139.7, 35.7)).orElseThrow();
    assertThat(tokyo.getX()).isCloseTo(400, within(1e-6));
    assertThat(tokyo.getY()).isCloseTo(250, within(1e-6));
    assertThat(map.getZoom()).isCloseTo(8, within(1e-9));
  }

  @Test
  void centringAskedForBeforeTheFirstLayoutHappensOnIt(FxRobot robot) {
    WorldMap fresh = new WorldMap();
    fresh.centerOn(new GeoPosition(-46.6, -23.5), 6);
    assertThat(fresh.getViewport()).isNull();
    robot.interact(() -> stage.getScene().setRoot(new StackPane(fresh)));
    WaitForAsyncUtils.waitForFxEvents();
    Point2D saoPaulo = fresh.toLocal(new GeoPosition(-46.6, -23.5)).orElseThrow();
    assertThat(saoPaulo.getX()).isCloseTo(400, within(1e-6));
    assertThat(saoPaulo.getY()).isCloseTo(250, within(1e-6));
    assertThat(fresh.getZoom()).isCloseTo(6, within(1e-9));
  }

  @Test
  void screenPointsTurnBackIntoPlaces() {
    Point2D sydney = map.toLocal(new GeoPosition(151.2, -33.9)).orElseThrow();
    GeoPosition back = map.toGeoPosition(sydney.getX(), sydney.getY()).orElseThrow();
    assertThat(back.longitude()).isCloseTo(151.2, within(1e-6));
    assertThat(back.latitude()).isCloseTo(-33.9, within(1e-6));
    assertThat(map.toGeoPosition(2, 2)).isEmpty();
  }

  @Test
  void zoomNeverLeavesItsLimits(FxRobot robot) {
    robot.interact(() -> map.zoomBy(1e9));
    assertThat(map.getZoom()).isCloseTo(WorldMap.ZOOM_MAX, within(1e-6));
    robot.interact(() -> map.zoomBy(1e-12));
    assertThat(map.getZoom()).isCloseTo(WorldMap.ZOOM_MIN, within(1e-9));
  }

  @Test
  void whilePanningTheMapShowsABitmapThatMatchesTheVectorDrawing(FxRobot robot)
      throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    robot.interact(() -> map.zoomBy(2));
    robot.interact(() -> map.setViewport(map.getViewport()));
    WritableImage moving = moveAndSnapshot(robot, () -> map.panBy(37, 11));
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !map.isMoving());
    WaitForAsyncUtils.waitForFxEvents();
    assertThat(robot.lookup(".motion-bitmap").query().isVisible()).isFalse();
    WritableImage settled = snapshot(robot);
    assertThat(matchingFraction(moving, settled)).isGreaterThan(0.98);
  }

  @Test
  void whileZoomingTheScaledBitmapStaysCloseToTheVectorDrawing(FxRobot robot)
      throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    // The first layout after the countries arrive sets their border widths.
    WaitForAsyncUtils.waitForFxEvents();
    WritableImage moving = moveAndSnapshot(robot, () -> map.zoomBy(1.25, 300, 200));
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !map.isMoving());
    WaitForAsyncUtils.waitForFxEvents();
    WritableImage settled = snapshot(robot);
    // Scaling blurs the borders a little; the ocean and the land must stay where they are.
    assertThat(matchingFraction(moving, settled)).isGreaterThan(0.9);
  }

  @Test
  void aLongPanOfTheZoomedOutMapDrawsTheBitmapOnceAndStillMatchesTheVectors(FxRobot robot)
      throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    WaitForAsyncUtils.waitForFxEvents();
    WorldMapSkin skin = (WorldMapSkin) map.getSkin();
    long before = skin.getMotionRedraws();
    // 600 px in twelve laid-out steps (in one go, so the movement cannot settle in between),
    // three times the view-and-margin bitmap's reach of 200 px: a zoomed-out map's bitmap holds
    // the whole world, so no step needs a redraw (ADR 0032).
    WritableImage moving = moveAndSnapshot(robot, () -> {
      for (int step = 0; step < 12; step++) {
        map.panBy(50, 10);
        map.layout();
      }
    });
    assertThat(skin.getMotionRedraws() - before).isEqualTo(1);
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !map.isMoving());
    WaitForAsyncUtils.waitForFxEvents();
    WritableImage settled = snapshot(robot);
    assertThat(matchingFraction(moving, settled)).isGreaterThan(0.98);
  }

  @Test
  void withoutTheMotionCacheTheVectorsAreDrawnWhileMoving(FxRobot robot) throws Exception {
    WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, map.mapLoadedProperty());
    WaitForAsyncUtils.waitForFxEvents();
    boolean[] shown = new boolean[2];
    // One FX-thread task, so the movement cannot settle before it is looked at.
    robot.interact(() -> {
      map.setCachedWhileMoving(false);
      map.panBy(20, 0);
      map.layout();
      shown[0] = map.isMoving();
      shown[1] = map.lookup(".motion-bitmap").isVisible();
    });
    assertThat(shown).containsExactly(true, false);
  }

  /**
   * Moves the map, lays it out and takes its picture in one FX-thread task, well within the
   * settle delay, so the picture is the bitmap however slow the machine is.
   */
  private WritableImage moveAndSnapshot(FxRobot robot, Runnable move) {
    WritableImage[] image = new WritableImage[1];
    boolean[] shown = new boolean[2];
    robot.interact(() -> {
      move.run();
      map.layout();
      shown[0] = map.isMoving();
      shown[1] = map.lookup(".motion-bitmap").isVisible();
      image[0] = map.snapshot(null, null);
    });
    assertThat(shown).containsExactly(true, true);
    return image[0];
  }

  private WritableImage snapshot(FxRobot robot) {
    WritableImage[] image = new WritableImage[1];
    robot.interact(() -> image[0] = map.snapshot(null, null));
    return image[0];
  }

  /** The share of sampled pixels whose channels differ by at most 10 %. */
  private static double matchingFraction(WritableImage first, WritableImage second) {
    PixelReader a = first.getPixelReader();
    PixelReader b = second.getPixelReader();
    int width = (int) Math.min(first.getWidth(), second.getWidth());
    int height = (int) Math.min(first.getHeight(), second.getHeight());
    int sampled = 0;
    int matching = 0;
    for (int y = 0; y < height; y += 3) {
      for (int x = 0; x < width; x += 3) {
        Color p = a.getColor(x, y);
        Color q = b.getColor(x, y);
        sampled++;
        if (Math.abs(p.getRed() - q.getRed()) <= 0.1 && Math.abs(p.getGreen() - q.getGreen()) <= 0.1
            && Math.abs(p.getBlue() - q.getBlue()) <= 0.1) {
          matching++;
        }
      }
    }
    return (double) matching / sampled;
  }
}
