package io.meridian.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.app.deploy.LocalDeploymentFixture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

// Proves, with the real agent processes `meridian deploy` starts, that the shipped sample
// samples/quorum-3.yaml (quorum N=3 W=2 R=2, conflictResolution: version-vector) deploys and keeps
// concurrent writes (ADR 0034): two writes to one key at two regions at once both come back as
// siblings from a quorum read at the third region, with a causal context; a put with that context
// replaces both everywhere; and `meridian load` runs against the dataset (shedding, if at all, only
// by admission control when the machine is starved).
class QuorumSiblingsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern CONTEXT = Pattern.compile("context: ([0-9a-f]+)");

  @RegisterExtension
  final LocalDeploymentFixture deployment = new LocalDeploymentFixture();

  @Test
  void theQuorumSampleDeploysAndKeepsConcurrentWritesAsSiblingsUntilAContextResolvesThem() throws Exception {
    CliRun deploy = CliRun.deployLocally(deployment, "../samples/quorum-3.yaml");
    assertThat(deploy.status()).as(deploy.all()).isZero();
    assertThat(deploy.all()).doesNotContain("skipped");
    assertThat(deploy.out()).contains("virginia", "ohio", "oregon", "ready");

    // Every coordinator reaches the others before the concurrent writes (W=2 needs one peer).
    for (String region : List.of("virginia", "ohio")) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
        CliRun warm = meridian("kv", "put", "--region", region, "--dataset", "carts", "warm-" + region, "x");
        assertThat(warm.status()).as(warm.all()).isZero();
      });
    }
    CompletableFuture<CliRun> atVirginia = CompletableFuture.supplyAsync(() ->
        meridian("kv", "put", "--region", "virginia", "--dataset", "carts", "cart-7", "apple"));
    CompletableFuture<CliRun> atOhio = CompletableFuture.supplyAsync(() ->
        meridian("kv", "put", "--region", "ohio", "--dataset", "carts", "cart-7", "pear"));
    assertThat(atVirginia.get().status()).as(atVirginia.get().all()).isZero();
    assertThat(atOhio.get().status()).as(atOhio.get().all()).isZero();

    CliRun siblings = meridian("kv", "get", "--region", "oregon", "--dataset", "carts", "cart-7");
    assertThat(siblings.status()).as(siblings.all()).isZero();
    assertThat(siblings.out()).contains("2 concurrent values (siblings)", "apple", "pear", "context: ");
    Matcher context = CONTEXT.matcher(siblings.out());
    assertThat(context.find()).as(siblings.out()).isTrue();

    CliRun resolve = meridian("kv", "put", "--region", "oregon", "--dataset", "carts", "cart-7", "apple,pear",
        "--context", context.group(1));
    assertThat(resolve.status()).as(resolve.all()).isZero();
    for (String region : List.of("virginia", "ohio", "oregon")) {
      CliRun resolved = meridian("kv", "get", "--region", region, "--dataset", "carts", "cart-7");
      assertThat(resolved.out()).as("read at " + region).contains("apple,pear").doesNotContain("siblings");
    }

    // No lag probes: their puts would count among the errors, and every scheduled write must be
    // accounted for below.
    CliRun load = meridian("load", "--dataset", "carts", "--rate", "100", "--duration", "2", "--lag-probes", "0",
        "--format", "json");
    JsonNode summary = JSON.readTree(load.out());
    long writes = summary.get("writes").asLong();
    long errors = summary.get("errors").asLong();
    long shed = summary.get("shed").asLong();
    // On a starved machine the coordinator may refuse writes by admission control (ADR 0028), which
    // says so, and the loader then backs off from it, shedding what falls due meanwhile (or beyond
    // its in-flight bound). Every one of the 200 writes is acknowledged, refused that way or shed;
    // any other error, or no write acknowledged, is a failure.
    assertThat(writes + errors + shed).as(load.all()).isEqualTo(200);
    assertThat(writes).as(load.all()).isPositive();
    assertThat(load.status()).as(load.all()).isEqualTo(errors == 0 ? 0 : 1);
    for (JsonNode sample : summary.get("errorSamples")) {
      assertThat(sample.asText()).as(load.all()).contains("RESOURCE_EXHAUSTED", "overloaded");
    }

    CliRun teardown = meridian("teardown");
    assertThat(teardown.status()).as(teardown.all()).isZero();
  }

  /** Runs a command against this test's deployment (the workspace's current one). */
  private static CliRun meridian(String... args) {
    return CliRun.meridian(args);
  }
}
