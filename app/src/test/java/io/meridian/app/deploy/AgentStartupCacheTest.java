package io.meridian.app.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves local agents get a class-data archive recorded once and reused afterwards, only for
// classpaths of jars, and that a build change starts a fresh cache.
class AgentStartupCacheTest {
  @TempDir
  Path root;

  private Path jar(String name) throws IOException {
    return Files.write(root.resolve(name), new byte[] {1, 2, 3});
  }

  private static String option(List<String> options, String prefix) {
    return options.stream().filter(option -> option.startsWith(prefix)).findFirst().orElse(null);
  }

  @Test
  void firstAgentRecordsAnArchiveThatLaterAgentsUseOnceItHasSettled() throws IOException {
    Path cacheRoot = root.resolve("cache");
    AgentStartupCache cache = AgentStartupCache.of(cacheRoot, "java", jar("meridian.jar").toString());

    List<String> first = cache.jvmOptions(true);
    List<String> second = cache.jvmOptions(false);
    String recording = option(first, "-XX:ArchiveClassesAtExit=").substring("-XX:ArchiveClassesAtExit=".length());
    Files.write(Path.of(recording), new byte[] {42});
    List<String> whileWriting = cache.jvmOptions(true);
    Files.setLastModifiedTime(Path.of(recording),
        FileTime.from(Instant.now().minus(AgentStartupCache.ARCHIVE_SETTLE).minusSeconds(1)));
    List<String> afterwards = cache.jvmOptions(true);

    assertThat(option(second, "-XX:")).isNull();
    assertThat(option(whileWriting, "-XX:")).isNull();
    assertThat(option(afterwards, "-XX:SharedArchiveFile=")).isEqualTo("-XX:SharedArchiveFile="
        + cache.directory().resolve("agent.jsa"));
    assertThat(cache.directory().resolve("agent.jsa")).exists();
  }

  @Test
  void classpathWithDirectoriesGetsNoArchive() throws IOException {
    Path classes = Files.createDirectories(root.resolve("classes"));
    String classPath = jar("a.jar") + java.io.File.pathSeparator + classes;

    List<String> options = AgentStartupCache.of(root.resolve("cache"), "java", classPath).jvmOptions(true);

    assertThat(option(options, "-XX:")).isNull();
  }

  @Test
  void aRebuiltJarGetsItsOwnCache() throws IOException {
    Path jar = jar("meridian.jar");
    AgentStartupCache before = AgentStartupCache.of(root, "java", jar.toString());
    Files.write(jar, new byte[] {1, 2, 3, 4});

    AgentStartupCache after = AgentStartupCache.of(root, "java", jar.toString());

    assertThat(after.directory()).isNotEqualTo(before.directory());
  }

  @Test
  void onlyTheMostRecentBuildsKeepTheirCaches() throws IOException {
    Path cacheRoot = root.resolve("cache");
    Path jar = jar("meridian.jar");
    List<Path> directories = new java.util.ArrayList<>();
    for (int build = 0; build < AgentStartupCache.BUILDS_KEPT + 2; build++) {
      Files.write(jar, new byte[build + 1]);
      AgentStartupCache cache = AgentStartupCache.of(cacheRoot, "java", jar.toString());
      cache.jvmOptions(false);
      Files.setLastModifiedTime(cache.directory(), FileTime.from(Instant.now().minusSeconds(100 - build)));
      directories.add(cache.directory());
    }

    assertThat(directories.subList(0, 2)).allSatisfy(directory -> assertThat(directory).doesNotExist());
    assertThat(directories.subList(2, directories.size())).allSatisfy(directory -> assertThat(directory).isDirectory());
  }
}
