/**
 * The studio's designer window: the topology graph on a world map with the palette and outline
 * on the left, the property sheet on the right, problems and analysis below; the tools (select,
 * add a region on the map, link two regions, what-if); files, undo and redo; and the ways to start
 * it (a window, or a headless snapshot to PNG).
 *
 * <p>MVVM: {@link io.meridian.app.studio.StudioViewModel} holds the state and the UI logic in
 * observable properties and never touches a {@code Node}; {@link io.meridian.app.studio.StudioView}
 * builds the controls and binds them. Every edit is a new topology value; files are read and
 * written, and every edit validated and analysed, on a background executor, with the results
 * handed to the JavaFX thread, so the window never waits on the disk or the analysis.
 */
package io.meridian.app.studio;
