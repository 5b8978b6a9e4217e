package io.meridian.app.editor;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Region;
import io.meridian.model.Topology;
import org.junit.jupiter.api.Test;

// Proves that the edit history steps back and forth between topology values, forgets the redo
// branch on a new edit, ignores edits that change nothing and tracks unsaved changes.
class EditHistoryTest {
  private final Topology empty = Topology.empty("t");
  private final Topology one = empty.plusRegion(Region.of("a", 1, 2, "EU"));
  private final Topology two = one.plusRegion(Region.of("b", 3, 4, "EU"));

  @Test
  void undoAndRedoMoveBetweenValues() {
    EditHistory history = new EditHistory(empty);
    history.apply(one, "add a");
    history.apply(two, "add b");

    assertThat(history.undoDescription()).isEqualTo("add b");
    assertThat(history.undo()).isTrue();
    assertThat(history.current()).isEqualTo(one);
    assertThat(history.redoDescription()).isEqualTo("add b");
    assertThat(history.undo()).isTrue();
    assertThat(history.current()).isEqualTo(empty);
    assertThat(history.undo()).isFalse();
    assertThat(history.redo()).isTrue();
    assertThat(history.redo()).isTrue();
    assertThat(history.current()).isEqualTo(two);
    assertThat(history.redo()).isFalse();
  }

  @Test
  void aNewEditForgetsWhatWasUndone() {
    EditHistory history = new EditHistory(empty);
    history.apply(one, "add a");
    history.undo();

    history.apply(two, "add both");

    assertThat(history.canRedo()).isFalse();
    assertThat(history.undo()).isTrue();
    assertThat(history.current()).isEqualTo(empty);
  }

  @Test
  void anEditThatChangesNothingIsNotRecorded() {
    EditHistory history = new EditHistory(one);

    assertThat(history.apply(empty.plusRegion(Region.of("a", 1, 2, "EU")), "same")).isFalse();
    assertThat(history.canUndo()).isFalse();
  }

  @Test
  void dirtyUntilSavedAndAgainWhenUndoneAfterSaving() {
    EditHistory history = new EditHistory(empty);
    assertThat(history.isDirty()).isFalse();
    history.apply(one, "add a");
    assertThat(history.isDirty()).isTrue();
    history.markSaved();
    assertThat(history.isDirty()).isFalse();
    history.undo();
    assertThat(history.isDirty()).isTrue();
    history.redo();
    assertThat(history.isDirty()).isFalse();
  }
}
