package io.meridian.visualization.map;

/**
 * Starts reading the world map's geometry before any map exists, so that it is ready when the
 * first map is shown. Unlike {@link WorldMap}, using this class needs no running JavaFX
 * toolkit: an application calls it first thing, before starting JavaFX.
 */
public final class WorldMapPreload {
  private WorldMapPreload() {}

  /** Starts reading on a background daemon thread and returns at once; later calls do nothing. */
  public static void start() {
    WorldMapGeometry.prefetch();
  }
}
