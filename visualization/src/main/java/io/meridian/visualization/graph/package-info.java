/**
 * The topology graph: regions as markers at their coordinates on a {@link
 * io.meridian.visualization.map.WorldMap}, links as arcs labelled with their round-trip
 * time, and overlays ({@link io.meridian.visualization.graph.RegionOverlay}, {@link
 * io.meridian.visualization.graph.LinkOverlay}) that the studio feeds from validation,
 * what-if and live monitoring.
 *
 * <p>The geometry ({@link io.meridian.visualization.graph.ProjectedTopology}, {@link
 * io.meridian.visualization.graph.FanOut}) is plain Java and projected once per topology;
 * the skin only maps it to the screen with one scale and translation when the view moves.
 */
package io.meridian.visualization.graph;
