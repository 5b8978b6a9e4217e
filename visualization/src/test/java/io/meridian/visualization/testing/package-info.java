/** Helpers shared by the visualization tests: snapshots of a scene as PNG files. */
package io.meridian.visualization.testing;
