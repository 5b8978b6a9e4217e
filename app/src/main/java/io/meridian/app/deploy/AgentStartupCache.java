package io.meridian.app.deploy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * What makes a local agent start faster, cached per build of the agent (ADR 0007): a class-data
 * sharing archive of the classes an agent loads (AppCDS; on Java 17 written by an agent with
 * {@code -XX:ArchiveClassesAtExit} when it stops, then reused by every later agent) and the
 * RocksDB native library extracted once, instead of into a temporary file by every agent.
 *
 * <p>Everything here is an optimisation: when the cache cannot be written, or the JVM rejects an
 * archive (another Java build), agents start as before.
 */
final class AgentStartupCache {
  /** Age after which an archive an agent wrote at exit is taken as complete. */
  static final Duration ARCHIVE_SETTLE = Duration.ofSeconds(30);
  /** The RocksDB library for Linux on x86-64 inside the rocksdbjni jar. */
  static final String ROCKSDB_LIBRARY = "librocksdbjni-linux64.so";
  /** Builds whose caches are kept. */
  static final int BUILDS_KEPT = 4;
  private static final String ARCHIVE = "agent.jsa";
  private static final String RECORDING_SUFFIX = ".recording";

  private final Path directory;
  private final boolean archivable;

  private AgentStartupCache(Path directory, boolean archivable) {
    this.directory = directory;
    this.archivable = archivable;
  }

  /** The cache for agents run by {@code javaCommand} with {@code classPath}, under {@code root}. */
  static AgentStartupCache of(Path root, String javaCommand, String classPath) {
    List<Path> entries = new ArrayList<>();
    for (String entry : classPath.split(java.io.File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry));
      }
    }
    // Class-data sharing archives classes from jar files only; a classpath with directories
    // (a test run) gets the native library but no archive.
    boolean archivable = !entries.isEmpty() && entries.stream()
        .allMatch(entry -> entry.toString().endsWith(".jar") && Files.isRegularFile(entry));
    StringBuilder identity = new StringBuilder(javaCommand).append('\n')
        .append(System.getProperty("java.vm.version")).append('\n');
    for (Path entry : entries) {
      identity.append(entry.toAbsolutePath()).append(' ');
      try {
        identity.append(Files.size(entry)).append(' ').append(Files.getLastModifiedTime(entry).toMillis());
      } catch (IOException e) {
        identity.append('?');
      }
      identity.append('\n');
    }
    return new AgentStartupCache(root.resolve("agent-" + digest(identity.toString())), archivable);
  }

  /** The cache root: {@code $XDG_CACHE_HOME/meridian}, or {@code ~/.cache/meridian}. */
  static Path defaultRoot() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("meridian");
  }

  /** This build's cache directory. */
  Path directory() {
    return directory;
  }

  /**
   * JVM options for one agent: use the archive when there is one; otherwise, if {@code mayRecord},
   * have this agent write one when it stops. Also points the JVM at the extracted native library.
   */
  List<String> jvmOptions(boolean mayRecord) {
    List<String> options = new ArrayList<>();
    try {
      if (!Files.isDirectory(directory)) {
        Files.createDirectories(directory);
        pruneOtherBuilds();
      }
    } catch (IOException e) {
      return options;
    }
    nativeLibraryDirectory().ifPresent(dir -> options.add("-Djava.library.path=" + dir));
    if (!archivable) {
      return options;
    }
    Path archive = directory.resolve(ARCHIVE);
    promoteSettledRecording(archive);
    if (Files.isRegularFile(archive)) {
      options.add("-XX:SharedArchiveFile=" + archive);
      options.add("-Xshare:auto");
    } else if (mayRecord && !recordingInProgress()) {
      // A unique name: two deployments may record at once; the first to settle becomes the archive.
      options.add("-XX:ArchiveClassesAtExit=" + directory.resolve(UUID.randomUUID() + RECORDING_SUFFIX));
    }
    return options;
  }

  /**
   * Deletes the caches of all but the {@value #BUILDS_KEPT} most recent builds (about 45 MB each).
   * A running agent keeps files it opened; one starting meanwhile starts without them.
   */
  private void pruneOtherBuilds() throws IOException {
    List<Path> builds;
    try (Stream<Path> dirs = Files.list(directory.getParent())) {
      builds = dirs.filter(dir -> dir.getFileName().toString().startsWith("agent-") && !dir.equals(directory))
          .sorted(Comparator.comparing(AgentStartupCache::modified).reversed()).toList();
    }
    for (Path old : builds.subList(Math.min(builds.size(), BUILDS_KEPT - 1), builds.size())) {
      try (Stream<Path> files = Files.list(old)) {
        for (Path file : files.toList()) {
          Files.deleteIfExists(file);
        }
      }
      Files.deleteIfExists(old);
    }
  }

  private static FileTime modified(Path path) {
    try {
      return Files.getLastModifiedTime(path);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private boolean recordingInProgress() {
    try (Stream<Path> files = Files.list(directory)) {
      return files.anyMatch(file -> file.getFileName().toString().endsWith(RECORDING_SUFFIX));
    } catch (IOException e) {
      return true;
    }
  }

  // An agent writes its archive while exiting; one that has not changed for a while is complete.
  // Later settled recordings (two deployments recorded at once) are deleted.
  private void promoteSettledRecording(Path archive) {
    Instant settled = Instant.now().minus(ARCHIVE_SETTLE);
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(RECORDING_SUFFIX)).toList()) {
        FileTime modified = Files.getLastModifiedTime(file);
        if (Files.size(file) == 0 || modified.toInstant().isAfter(settled)) {
          continue;
        }
        if (Files.exists(archive)) {
          Files.deleteIfExists(file);
        } else {
          Files.move(file, archive, StandardCopyOption.ATOMIC_MOVE);
        }
      }
    } catch (IOException e) {
      // Another deployer moved it first, or the cache is not writable: start without an archive.
    }
  }

  /** Extracts the RocksDB library next to the archive once; empty if this program has none. */
  private Optional<Path> nativeLibraryDirectory() {
    Path library = directory.resolve(ROCKSDB_LIBRARY);
    if (Files.isRegularFile(library)) {
      return Optional.of(directory);
    }
    try (InputStream in = AgentStartupCache.class.getClassLoader().getResourceAsStream(ROCKSDB_LIBRARY)) {
      if (in == null) {
        return Optional.empty();
      }
      Path partial = directory.resolve(ROCKSDB_LIBRARY + "." + UUID.randomUUID());
      Files.copy(in, partial);
      Files.move(partial, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return Optional.of(directory);
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static String digest(String text) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java platform", e);
    }
  }
}
