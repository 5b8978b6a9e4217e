/**
 * Reusable JavaFX views of a Meridian topology: a world map, the topology graph drawn on
 * it, and the overlays that colour it. The views do no networking and no file I/O; they
 * take values and draw them.
 *
 * <p>Sub-packages: {@code projection} (pure map projection math), {@code map} (the world
 * map control, its country data and its viewport) and {@code graph} (the topology graph
 * control, its overlays and legend).
 */
package io.meridian.visualization;
