package io.meridian.app.editor;

import io.meridian.model.Topology;
import java.util.List;
import java.util.function.BiFunction;

/**
 * One editable property of the selection.
 *
 * @param name the label, e.g. {@code RTT (ms)}
 * @param value the current value as text
 * @param help what the property means, in plain words, for the tooltip
 * @param choices the allowed values when there is a fixed set (shown as a drop-down), else empty
 * @param apply makes the edited topology from the current one and the new text; throws
 *     {@link IllegalArgumentException} with a message for the user when the text is not valid
 */
public record PropertyRow(String name, String value, String help, List<String> choices,
    BiFunction<Topology, String, Topology> apply) {
  /** Copies the choices. */
  public PropertyRow {
    choices = List.copyOf(choices);
  }
}
