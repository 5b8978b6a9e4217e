package io.meridian.model.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import io.meridian.model.Dataset;
import io.meridian.model.Geo;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * On random physically possible topologies without jitter, every prediction is at least its
 * speed-of-light floor, and a quorum write never gets faster when W grows.
 */
class AnalysisPropertiesTest {

  private static Topology random(long seed, int regionCount, Policy policy) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Region> regions = new ArrayList<>();
    List<RegionId> ids = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      Region region = Region.of("r" + i, -60 + random.nextDouble() * 120,
          -180 + random.nextDouble() * 360, "US");
      regions.add(region);
      ids.add(region.id());
    }
    List<Link> links = new ArrayList<>();
    for (int i = 0; i < regionCount; i++) {
      for (int j = i + 1; j < regionCount; j++) {
        if (j == i + 1 || random.nextBoolean()) {
          double floor = Geo.fibreRttFloorMs(regions.get(i), regions.get(j));
          links.add(Link.of("r" + i, "r" + j, floor * (1 + random.nextDouble())));
        }
      }
    }
    return new Topology("random", "", regions, links, List.of(policy),
        List.of(new Dataset("data", ids, List.of(), policy.name())));
  }

  @Property(tries = 60)
  void everyPredictionIsAtLeastItsFloor(@ForAll long seed,
      @ForAll @IntRange(min = 3, max = 6) int regions,
      @ForAll ReplicationMode mode) {
    Policy policy = Policy.of("p", mode).withPrimary(RegionId.of("r0"))
        .withQuorum(mode == ReplicationMode.QUORUM ? new QuorumSpec(regions, 2, 2) : null);

    DatasetAnalysis d = Fixtures.analyse(random(seed, regions, policy), AnalysisOptions.DEFAULTS);

    for (RegionAnalysis r : d.regions()) {
      List<Operation> ops = new ArrayList<>(r.reads());
      ops.add(r.write());
      for (Operation op : ops) {
        if (op.latency() != null) {
          assertThat(op.latency().p50Ms()).as("%s %s", r.region(), op.name())
              .isGreaterThanOrEqualTo(op.latency().floorMs() - 1e-9);
        }
      }
    }
  }

  @Property(tries = 40)
  void aLargerWriteQuorumIsNeverFaster(@ForAll long seed,
      @ForAll @IntRange(min = 3, max = 6) int regions) {
    double previous = -1;
    for (int w = 1; w <= regions; w++) {
      Policy policy = Policy.of("p", ReplicationMode.QUORUM)
          .withQuorum(new QuorumSpec(regions, w, 1));
      double latency = Fixtures.analyse(random(seed, regions, policy), AnalysisOptions.DEFAULTS)
          .region("r0").orElseThrow().write().latency().p50Ms();
      assertThat(latency).as("W=%d", w).isGreaterThanOrEqualTo(previous);
      previous = latency;
    }
  }
}
