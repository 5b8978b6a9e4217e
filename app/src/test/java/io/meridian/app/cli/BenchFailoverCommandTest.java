package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

// Proves that `meridian bench failover` refuses unusable requests with a reason before it starts
// any load or fault (the measurement itself needs a running deployment; see ADR 0016).
class BenchFailoverCommandTest {
  @TempDir
  Path stateDirectory;

  @Test
  void unknownKindsAndTrialCountsAreRefusedWithAReason() {
    CliRun kind = CliRun.meridian("bench", "failover", "--dataset", "orders", "--kind", "sideways",
        "--state-dir", stateDirectory.toString());
    assertThat(kind.status()).isEqualTo(ExitCodes.UNUSABLE);
    assertThat(kind.err()).contains("--kind must be auto, planned or forced and --trials 1 to 100; got sideways");

    CliRun trials = CliRun.meridian("bench", "failover", "--dataset", "orders", "--kind", "auto", "--trials", "0",
        "--state-dir", stateDirectory.toString());
    assertThat(trials.status()).isEqualTo(ExitCodes.UNUSABLE);
  }

  @Test
  void withoutADeploymentItSaysSo() {
    CliRun run = CliRun.meridian("bench", "failover", "--dataset", "orders", "--kind", "planned",
        "--state-dir", stateDirectory.toString());
    assertThat(run.status()).isEqualTo(ExitCodes.PROBLEMS);
    assertThat(run.err()).startsWith("meridian bench failover: ");
  }
}
