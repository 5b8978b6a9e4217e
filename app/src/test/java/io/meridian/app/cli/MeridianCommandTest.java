package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

// Proves that the root `meridian` command reports its version, lists its subcommands in its
// help, takes a lone topology file as "open the studio on it", and treats unknown commands and
// options as usage errors (exit 2) with a hint.
class MeridianCommandTest {

  @Test
  void versionNamesMeridianAndExitsZero() {
    CliRun run = CliRun.meridian("--version");

    assertThat(run.status()).isZero();
    assertThat(run.outLines().get(0)).startsWith("meridian ");
  }

  @Test
  void helpListsEverySubcommandAndTheExitStatuses() {
    CliRun run = CliRun.meridian("--help");

    assertThat(run.status()).isZero();
    assertThat(run.out()).contains("validate", "studio", "screenshot", "Exit status:",
        "2   a file could not be read");
  }

  @Test
  void misspeltCommandSuggestsTheRightOne() {
    CliRun run = CliRun.meridian("valdate", "x.yaml");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("Did you mean: meridian validate")
        .contains("Try 'meridian --help' for usage.");
  }

  @Test
  void aTopologyFileAloneMeansOpenTheStudioOnIt() {
    assertThat(MeridianCommand.isTopologyFile("samples/global-async.yaml")).isTrue();
    assertThat(MeridianCommand.isTopologyFile("design.JSON")).isTrue();
    assertThat(MeridianCommand.isTopologyFile("../samples/global-async.yaml")).isTrue();
    assertThat(MeridianCommand.isTopologyFile("validate")).isFalse();
    assertThat(MeridianCommand.isTopologyFile("--help")).isFalse();
  }

  @Test
  void aTopologyFileWithoutADisplaySaysWhatToUseInstead() {
    assumeTrue(System.getenv("DISPLAY") == null && System.getenv("WAYLAND_DISPLAY") == null,
        "with a display this would open a window");

    CliRun run = CliRun.meridian("../samples/global-async.yaml");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("cannot open the studio: no display",
        "meridian screenshot FILE OUT.png");
  }

  @Test
  void unknownOptionOnTheRootIsAUsageError() {
    CliRun run = CliRun.meridian("--frobnicate");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).startsWith("meridian: Unknown option: '--frobnicate'");
  }

  @Test
  void deployRefusesAWaitOfLessThanOneSecondBeforeStartingAnything() {
    CliRun run = CliRun.meridian("deploy", "../samples/global-async.yaml", "--target", "local",
        "--wait", "0");

    assertThat(run.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(run.err()).contains("--wait must be at least 1 second, not 0");
    assertThat(run.out()).doesNotContain("Deploying");
  }
}
