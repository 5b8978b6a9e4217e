/**
 * The topology file format ({@code apiVersion: meridian/v1}, YAML or JSON): reading with file
 * positions and clear problems for bad input, and writing in a stable order; and the JSON form of
 * an analysis ({@link io.meridian.model.format.AnalysisJson}). All Jackson wiring of the model
 * lives here.
 */
package io.meridian.model.format;
