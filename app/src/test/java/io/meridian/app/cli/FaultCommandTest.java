package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that `meridian fault` refuses malformed requests with a reason before touching anything.
class FaultCommandTest {
  @TempDir
  Path stateDirectory;

  @Test
  void unknownFaultsAndWrongRegionCountsAreRefusedWithAReason() {
    CliRun unknown = CliRun.meridian("fault", "explode", "us-east", "--state-dir", stateDirectory.toString());
    assertThat(unknown.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(unknown.err()).contains("unknown fault 'explode'; use one of [kill, restart, pause, resume, cut, heal]");

    CliRun cut = CliRun.meridian("fault", "cut", "us-east", "--state-dir", stateDirectory.toString());
    assertThat(cut.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(cut.err()).contains("cut takes two regions (the ends of the link), got [us-east]");

    CliRun noWait = CliRun.meridian("fault", "restart", "us-east", "--wait", "0", "--state-dir",
        stateDirectory.toString());
    assertThat(noWait.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(noWait.err()).contains("--wait must be at least 1 second, not 0");
  }

  @Test
  void withoutADeploymentItSaysSo() {
    CliRun kill = CliRun.meridian("fault", "kill", "us-east", "--state-dir", stateDirectory.toString());

    assertThat(kill.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(kill.err()).startsWith("meridian fault: ");
  }
}
