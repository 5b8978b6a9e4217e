/**
 * Map projections: pure functions from longitude and latitude in degrees to planar
 * coordinates and back. No JavaFX here, so the math is unit-tested on its own.
 *
 * <p>Projected coordinates are in the projection's own units (the Equal Earth equator is
 * about 5.41 units long), with {@code x} growing east and {@code y} growing north. Screen
 * coordinates, which grow downwards, are the viewport's business.
 */
package io.meridian.visualization.projection;
