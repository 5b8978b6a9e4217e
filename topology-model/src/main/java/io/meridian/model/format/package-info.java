/**
 * The topology file format ({@code apiVersion: meridian/v1}, YAML or JSON): reading with file
 * positions and clear problems for bad input, and writing in a stable order. All Jackson wiring
 * of the model lives here.
 */
package io.meridian.model.format;
