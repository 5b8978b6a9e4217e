/**
 * The world map: the bundled Natural Earth country outlines ({@link
 * io.meridian.visualization.map.WorldMapData}), the pan-and-zoom state ({@link
 * io.meridian.visualization.map.MapViewport}) and the {@link
 * io.meridian.visualization.map.WorldMap} control that draws them.
 *
 * <p>The country outlines are read once per JVM from the classpath on a background thread, already
 * projected ({@code ProjectedCountries}, generated from the Natural Earth text), and shared by
 * every map; the FX thread only creates the shapes.
 */
package io.meridian.visualization.map;
