package io.meridian.app.editor;

import io.meridian.model.Topology;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;

/**
 * The undo and redo stacks of one open design, as topology values, and whether the current value
 * differs from the last one saved.
 *
 * <p>Not thread-safe: the studio uses it on the JavaFX thread only.
 */
public final class EditHistory {
  /** How many edits undo can step back; older ones are forgotten. */
  public static final int UNDO_DEPTH_MAX = 500;

  private final Deque<Entry> undo = new ArrayDeque<>();
  private final Deque<Entry> redo = new ArrayDeque<>();
  private Topology current;
  private String currentDescription = "";
  private Topology saved;

  /** A history holding {@code start}, counted as saved. */
  public EditHistory(Topology start) {
    reset(start);
  }

  /** Forgets every edit and starts again from {@code start}, counted as saved. */
  public void reset(Topology start) {
    current = Objects.requireNonNull(start, "start");
    currentDescription = "";
    saved = start;
    undo.clear();
    redo.clear();
  }

  /**
   * Makes {@code next} the current value. An edit that changes nothing is not recorded.
   *
   * @param description what the edit did, in a few words, as Undo names it
   * @return whether anything changed
   */
  public boolean apply(Topology next, String description) {
    Objects.requireNonNull(next, "next");
    if (next.equals(current)) {
      return false;
    }
    undo.push(new Entry(current, currentDescription));
    if (undo.size() > UNDO_DEPTH_MAX) {
      undo.removeLast();
    }
    redo.clear();
    current = next;
    currentDescription = description;
    return true;
  }

  /** Steps back one edit; returns whether there was one. */
  public boolean undo() {
    if (undo.isEmpty()) {
      return false;
    }
    redo.push(new Entry(current, currentDescription));
    Entry previous = undo.pop();
    current = previous.topology();
    currentDescription = previous.description();
    return true;
  }

  /** Steps forward one undone edit; returns whether there was one. */
  public boolean redo() {
    if (redo.isEmpty()) {
      return false;
    }
    undo.push(new Entry(current, currentDescription));
    Entry next = redo.pop();
    current = next.topology();
    currentDescription = next.description();
    return true;
  }

  /** Records that the current value is what the file on disk now holds. */
  public void markSaved() {
    saved = current;
  }

  /** The current design. */
  public Topology current() {
    return current;
  }

  /** Whether undo would change anything. */
  public boolean canUndo() {
    return !undo.isEmpty();
  }

  /** Whether redo would change anything. */
  public boolean canRedo() {
    return !redo.isEmpty();
  }

  /** What undo would take back, or empty. */
  public String undoDescription() {
    return undo.isEmpty() ? "" : currentDescription;
  }

  /** What redo would do again, or empty. */
  public String redoDescription() {
    return redo.isEmpty() ? "" : redo.peek().description();
  }

  /** Whether the current value differs from the last one saved or opened. */
  public boolean isDirty() {
    return !current.equals(saved);
  }

  private record Entry(Topology topology, String description) {}
}
