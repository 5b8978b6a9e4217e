package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

// Proves that `meridian analyze` reports a sample, changes its verdicts under --fail as a person
// would expect, writes the documented JSON, refuses a --fail that names nothing in the file, and
// charges consensus writes the --disk-sync-ms it is given (ADR 0051).
class AnalyzeCommandTest {
  private static final String QUORUM = "../samples/quorum-3.yaml";

  @Test
  void reportShowsEachDatasetWithItsModeAndCapChoice() {
    CliRun run = CliRun.meridian("analyze", QUORUM, "--samples", "1000");

    assertThat(run.status()).as(run.err()).isZero();
    assertThat(run.out()).contains("Dataset carts: quorum").contains("CAP CP");
  }

  @Test
  void losingOneOfThreeReplicasKeepsQuorumWritesButLosingTwoStopsThem() {
    CliRun one = CliRun.meridian("analyze", QUORUM, "--samples", "1000", "--fail", "oregon");
    CliRun two = CliRun.meridian("analyze", QUORUM, "--samples", "1000",
        "--fail", "oregon,virginia");

    assertThat(one.status()).isZero();
    assertThat(one.out()).doesNotContain("cannot write");
    assertThat(two.status()).isZero();
    assertThat(two.out()).contains(
        "ohio cannot write: quorum W=2 needs 2 of {virginia, ohio, oregon}, only 1 reachable");
  }

  @Test
  void jsonOutputIsTheDocumentedFormat() throws Exception {
    CliRun run = CliRun.meridian("analyze", QUORUM, "--samples", "1000", "--format", "json");

    JsonNode json = new ObjectMapper().readTree(run.out());
    assertThat(run.status()).isZero();
    assertThat(json.path("format").asText()).isEqualTo("meridian/analysis/v1");
    assertThat(json.path("datasets").size()).isEqualTo(1);
  }

  @Test
  void consensusWritesWaitForTheDiskSyncGivenAndAnImpossibleOneIsRefused() throws Exception {
    String consensus = "../samples/consensus-5.yaml";
    CliRun none = CliRun.meridian("analyze", consensus, "--samples", "1000", "--format", "json",
        "--disk-sync-ms", "0");
    CliRun slow = CliRun.meridian("analyze", consensus, "--samples", "1000", "--format", "json",
        "--disk-sync-ms", "6");
    CliRun negative = CliRun.meridian("analyze", consensus, "--disk-sync-ms", "-1");

    assertThat(none.status()).as(none.err()).isZero();
    assertThat(slow.status()).as(slow.err()).isZero();
    JsonNode before = new ObjectMapper().readTree(none.out()).at("/datasets/0/regions/0/write");
    JsonNode after = new ObjectMapper().readTree(slow.out()).at("/datasets/0/regions/0/write");
    assertThat(after.at("/latency/p50Ms").asDouble() - before.at("/latency/p50Ms").asDouble())
        .isCloseTo(6, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(after.path("explanation").asText()).contains("disk sync (6 ms)");
    assertThat(new ObjectMapper().readTree(slow.out()).at("/options/diskSyncMs").asDouble())
        .isEqualTo(6);
    assertThat(negative.status()).isEqualTo(2);
    assertThat(negative.err()).contains("disk sync time must be between 0 and");
  }

  @Test
  void failingARegionTheFileDoesNotHaveIsRefusedWithASuggestion() {
    CliRun typo = CliRun.meridian("analyze", QUORUM, "--fail", "oregn");
    CliRun providerCode = CliRun.meridian("analyze", QUORUM, "--fail", "us-west-2");
    CliRun noLink = CliRun.meridian("analyze", "../samples/eu-residency.yaml",
        "--fail", "virginia~dublin-witness");

    assertThat(typo.status()).isEqualTo(2);
    assertThat(typo.err()).contains("no region 'oregn'").contains("did you mean 'oregon'?");
    assertThat(providerCode.status()).isEqualTo(2);
    assertThat(providerCode.err()).contains("regions are virginia, ohio, oregon");
    assertThat(noLink.status()).isEqualTo(2);
    assertThat(noLink.err()).contains("no link between virginia and dublin-witness");
    assertThat(typo.out() + providerCode.out() + noLink.out()).isEmpty();
  }
}
