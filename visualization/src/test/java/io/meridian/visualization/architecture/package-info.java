/** Architecture rules for the visualization module, checked with ArchUnit. */
package io.meridian.visualization.architecture;
