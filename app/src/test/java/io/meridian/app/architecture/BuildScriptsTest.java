package io.meridian.app.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

// Proves that CI runs exactly the README's test command, and that the launcher and CI scripts
// are executable, parse as bash, and keep the line endings their shells need.
class BuildScriptsTest {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final String TEST_COMMAND = "./mvnw -B verify";

  @Test
  void ciRunsTheReadmesTestCommandAndNothingWeaker() throws IOException {
    List<String> readme = Files.readAllLines(ROOT.resolve("README.md"));
    List<String> ci = Files.readAllLines(ROOT.resolve(".ci/run")).stream()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();

    assertThat(readme).anySatisfy(line -> assertThat(line).startsWith(TEST_COMMAND + " "));
    assertThat(ci).contains("set -euo pipefail");
    assertThat(ci).last().isEqualTo(TEST_COMMAND);
  }

  @Test
  void shellScriptsAreExecutableAndParse() throws IOException, InterruptedException {
    assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
    for (String script : List.of("meridian", ".ci/run", "mvnw")) {
      Path file = ROOT.resolve(script);
      assertThat(Files.isExecutable(file)).as(script + " is executable").isTrue();
      assertThat(Files.readString(file, StandardCharsets.UTF_8)).as(script + " has LF endings")
          .doesNotContain("\r");
      Process check = new ProcessBuilder("/bin/bash", "-n", file.toString())
          .redirectErrorStream(true).start();
      assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(check.exitValue()).as(script + " parses: "
          + new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
    }
  }

  @Test
  void windowsLauncherHasCrlfEndings() throws IOException {
    String launcher = Files.readString(ROOT.resolve("meridian.cmd"), StandardCharsets.UTF_8);

    assertThat(launcher.replace("\r\n", "")).doesNotContain("\n");
    assertThat(launcher).contains("-jar \"%JAR%\" %*");
  }
}
