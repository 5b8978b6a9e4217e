package io.meridian.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

// Proves that the repository's top level holds exactly the folders and files the product's users
// asked for (DESIGN.md), so new code lands inside a module rather than beside them.
class RepositoryLayoutTest {
  private static final Set<String> ALLOWED = Set.of(
      "pom.xml", "app", "agent", "topology-model", "visualization", "installers", "samples",
      "README.md", "docs", "mvnw", "mvnw.cmd", "meridian", "meridian.cmd");

  @Test
  void topLevelHoldsExactlyTheAllowedEntries() throws IOException {
    Path root = Path.of("").toAbsolutePath().getParent();
    assertThat(root.resolve("app/pom.xml")).as("tests run from the app module").exists();

    Set<String> present = new TreeSet<>();
    try (Stream<Path> entries = Files.list(root)) {
      entries.map(entry -> entry.getFileName().toString())
          // Dot-files (.git, .mvn, .ci, .gitignore) and Maven's build output are not layout.
          .filter(name -> !name.startsWith(".") && !name.equals("target"))
          .forEach(present::add);
    }

    assertThat(present).containsExactlyInAnyOrderElementsOf(ALLOWED);
  }
}
