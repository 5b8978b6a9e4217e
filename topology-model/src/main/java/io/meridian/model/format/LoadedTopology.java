package io.meridian.model.format;

import io.meridian.model.Topology;
import io.meridian.model.diagnostics.SourceMap;

/**
 * A topology read from a file, with the positions of its nodes so problems can point at lines.
 *
 * @param topology the model
 * @param sourceMap where each node of the file starts
 * @param source the file name, for messages
 */
public record LoadedTopology(Topology topology, SourceMap sourceMap, String source) {}
