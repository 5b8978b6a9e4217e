package io.meridian.app.files;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The designs opened or saved most recently, newest first, one absolute path a line in a text
 * file (by default {@code ~/.meridian/recent-files.txt}). Reads and writes the disk: call from a
 * background thread.
 */
public final class RecentFiles {
  /** How many files the File › Open Recent menu lists. */
  public static final int ENTRIES_MAX = 10;

  private final Path store;

  /** Recent files kept in {@code store}; null keeps them in memory only. */
  public RecentFiles(Path store) {
    this.store = store;
  }

  /** Recent files kept in memory only, for snapshots and tests that must not touch the disk. */
  public static RecentFiles none() {
    return new RecentFiles(null);
  }

  /** Recent files kept in the user's home folder. */
  public static RecentFiles inUserHome() {
    return new RecentFiles(Path.of(System.getProperty("user.home"), ".meridian",
        "recent-files.txt"));
  }

  /** The stored list, newest first; empty when there is none or it cannot be read. */
  public List<Path> load() {
    if (store == null || !Files.isRegularFile(store)) {
      return List.of();
    }
    try {
      List<Path> paths = new ArrayList<>();
      for (String line : Files.readAllLines(store, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && paths.size() < ENTRIES_MAX) {
          try {
            paths.add(Path.of(line.strip()));
          } catch (InvalidPathException ignored) {
            // A line written on another system; the rest of the list is still useful.
          }
        }
      }
      return List.copyOf(paths);
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Puts {@code file} first in {@code current} and stores the result; returns it. */
  public List<Path> add(List<Path> current, Path file) throws IOException {
    Path absolute = file.toAbsolutePath().normalize();
    List<Path> next = new ArrayList<>();
    next.add(absolute);
    current.stream().filter(p -> !p.equals(absolute)).limit(ENTRIES_MAX - 1L).forEach(next::add);
    if (store == null) {
      return List.copyOf(next);
    }
    Path folder = store.toAbsolutePath().getParent();
    if (folder != null) {
      Files.createDirectories(folder);
    }
    Files.write(store, next.stream().map(Path::toString).toList(), StandardCharsets.UTF_8);
    return List.copyOf(next);
  }
}
