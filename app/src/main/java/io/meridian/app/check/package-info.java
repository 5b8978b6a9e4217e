/**
 * Checking a topology file: reading it and running the design rules over it, with every problem
 * placed at its line and column. The command line and the studio both check through here, so a
 * file that {@code meridian validate} accepts is the file the studio opens without complaint.
 */
package io.meridian.app.check;
