package io.meridian.app.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that the recent-files list keeps the newest file first, once, at most ENTRIES_MAX long,
// survives a restart through its file, and that the in-memory list never touches the disk.
class RecentFilesTest {
  @TempDir
  Path folder;

  @Test
  void newestFirstWithoutRepeatsAndBounded() throws IOException {
    RecentFiles recent = new RecentFiles(folder.resolve("nested/recent.txt"));
    List<Path> list = List.of();
    for (int i = 0; i < RecentFiles.ENTRIES_MAX + 3; i++) {
      list = recent.add(list, folder.resolve("design-" + i + ".yaml"));
    }
    list = recent.add(list, folder.resolve("design-5.yaml"));

    assertThat(list).hasSize(RecentFiles.ENTRIES_MAX);
    assertThat(list.get(0)).isEqualTo(folder.resolve("design-5.yaml").toAbsolutePath());
    assertThat(list).doesNotHaveDuplicates();
    assertThat(new RecentFiles(folder.resolve("nested/recent.txt")).load()).isEqualTo(list);
  }

  @Test
  void theInMemoryListWritesNothing() throws IOException {
    RecentFiles recent = RecentFiles.none();

    assertThat(recent.add(List.of(), folder.resolve("a.yaml"))).hasSize(1);
    assertThat(recent.load()).isEmpty();
    assertThat(folder.toFile().list()).isEmpty();
  }
}
