/**
 * The studio: the main window (view), its view-model, and the ways to start it (a window, or a
 * headless snapshot to PNG).
 *
 * <p>MVVM: {@link io.meridian.app.studio.StudioViewModel} holds the state and the UI logic in
 * observable properties and never touches a {@code Node}; {@link io.meridian.app.studio.StudioView}
 * builds the controls and binds them. Files are read and checked on a background executor and
 * the results handed to the JavaFX thread, so the window never waits on the disk.
 */
package io.meridian.app.studio;
