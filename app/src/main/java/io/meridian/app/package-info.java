/**
 * The Meridian application: the launcher that either opens the studio or runs the command line.
 */
package io.meridian.app;
