package io.meridian.app.studio;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;

/**
 * One line of the studio's outline, as a tree item's value whose text changes in place. A tree
 * item whose value is replaced makes JavaFX's {@code TreeViewSkin} throw away and build again
 * every visible cell of the outline (each styled and laid out afresh); a cell bound to this
 * line's text updates that one cell, so an edit that re-describes one link of a thousand costs
 * one label (ADR 0058).
 */
final class OutlineLine {
  private final ReadOnlyStringWrapper text;

  OutlineLine(String text) {
    this.text = new ReadOnlyStringWrapper(this, "text", text);
  }

  /** The line as the outline shows it. */
  String text() {
    return text.get();
  }

  /** Changes the text; the cell showing this line follows. */
  void setText(String value) {
    text.set(value);
  }

  /** The text, for the outline's cells to bind to. */
  ReadOnlyStringProperty textProperty() {
    return text.getReadOnlyProperty();
  }

  @Override
  public String toString() {
    return text.get();
  }
}
