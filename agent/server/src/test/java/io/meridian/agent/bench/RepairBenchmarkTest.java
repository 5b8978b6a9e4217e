package io.meridian.agent.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

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
}
