/**
 * The studio's file chores that are not the topology format itself: the list of recently opened
 * designs, kept in a small text file under the user's home folder. Callers run these on a
 * background thread; nothing here touches JavaFX.
 */
package io.meridian.app.files;
