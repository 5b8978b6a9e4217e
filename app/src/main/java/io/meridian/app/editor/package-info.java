/**
 * Editing a design: the history of {@link io.meridian.model.Topology} values behind undo and
 * redo, and the property rows of the selected region, link, dataset or policy.
 *
 * <p>Every edit is a new immutable topology; undo and redo move between values, so nothing is
 * ever patched back. Nothing here touches JavaFX.
 */
package io.meridian.app.editor;
