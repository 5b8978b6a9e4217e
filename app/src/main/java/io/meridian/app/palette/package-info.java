/**
 * The palette: searching the built-in region catalogue and adding a catalogue region to the
 * design. The view-model filters as the user types; the view is a search field, a result list
 * (double-click adds) and an Add button.
 */
package io.meridian.app.palette;
