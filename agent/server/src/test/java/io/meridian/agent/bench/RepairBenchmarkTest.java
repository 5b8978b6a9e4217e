package io.meridian.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The repair benchmark at a small size, so the default suite checks what the full-size run
 * reports: every divergent key is repaired, the replicas end identical, and the bytes exchanged
 * stay within three times the divergent data (a deterministic count, not a timing).
 */
class RepairBenchmarkTest {

  @Test
  void onePercentDivergenceIsRepairedWithLittleMoreThanTheDivergentBytes() {
    StringWriter progress = new StringWriter();
    RepairBenchmark.Result result = RepairBenchmark.run(20_000, 0.01, 100, 15, 3, new PrintWriter(progress));
    RepairBenchmark.print(result, new PrintWriter(progress));
    System.out.println(progress);

    assertThat(result.converged()).isTrue();
    assertThat(result.divergentKeys()).isEqualTo(200);
    assertThat(result.keysRepaired()).isEqualTo(200);
    assertThat(result.amplification()).isBetween(1.0, 3.0);
  }

  // A quorum pair (ADR 0035, 0044): key digests carry version timestamps, so whichever side compares
  // them fetches only newer states and pushes only its own: each divergent entry crosses once. The
  // side that compares follows the depth's parity, so both parities are run: at depth 15 the newer
  // side compares (before versions were in the digests, it fetched the older states first and every
  // entry crossed twice, 4.2x), at depth 14 the older side does.
  @ParameterizedTest(name = "depth {0}")
  @ValueSource(ints = {14, 15})
  void aQuorumPairRepairsOnePercentNewerWritesSendingEachDivergentEntryOnce(int depth) {
    StringWriter progress = new StringWriter();
    RepairBenchmark.Result result = RepairBenchmark.run(20_000, 0.01, 100, depth, 3, true,
        new PrintWriter(progress));
    RepairBenchmark.print(result, new PrintWriter(progress));
    System.out.println(progress);

    assertThat(result.converged()).isTrue();
    assertThat(result.keysRepaired()).isEqualTo(200);
    long entryBytes = result.bytesByKind().get("RepairEntries");
    // One copy of each divergent entry plus its version and framing; two copies would be 2x.
    assertThat(entryBytes).isBetween(result.divergentBytes(), 3 * result.divergentBytes() / 2);
    assertThat(result.amplification()).isBetween(1.0, 3.0);
  }
}
