package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

// Proves that `meridian analyze` reports a sample, changes its verdicts under --fail as a person
// would expect, writes the documented JSON, and refuses a --fail that names nothing in the file.
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
