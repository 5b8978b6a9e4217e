package io.meridian.model.validation;

import io.meridian.model.ConflictResolution;
import io.meridian.model.Dataset;
import io.meridian.model.FailoverSettings;
import io.meridian.model.Geo;
import io.meridian.model.Jurisdiction;
import io.meridian.model.Link;
import io.meridian.model.Policy;
import io.meridian.model.QuorumSpec;
import io.meridian.model.ReadConsistency;
import io.meridian.model.Region;
import io.meridian.model.RegionId;
import io.meridian.model.RegionRole;
import io.meridian.model.ReplicationMode;
import io.meridian.model.Topology;
import java.util.ArrayList;
import java.util.List;

/**
 * A valid topology of the size the studio must validate on every edit: 200 regions on a grid,
 * 1,000 links (each region to five neighbours, with physically possible RTTs) and 50 datasets of
 * three to five nearby replicas under async, quorum, consensus and multi-primary policies.
 */
final class LargeTopology {
  static final int REGIONS = 200;
  private static final int COLUMNS = 20;
  private static final int[] NEIGHBOUR_OFFSETS = {1, 2, COLUMNS - 1, COLUMNS, COLUMNS + 1};

  private LargeTopology() {}

  static Topology build() {
    List<Region> regions = new ArrayList<>();
    for (int i = 0; i < REGIONS; i++) {
      double latitude = -60 + (i / COLUMNS) * 12;
      double longitude = -170 + (i % COLUMNS) * 17;
      regions.add(new Region(id(i), "Region " + i, latitude, longitude,
          Jurisdiction.of(longitude < -30 ? "US" : "EU"), null, RegionRole.DATA));
    }
    List<Link> links = new ArrayList<>();
    for (int i = 0; i < REGIONS; i++) {
      for (int offset : NEIGHBOUR_OFFSETS) {
        Region a = regions.get(i);
        Region b = regions.get((i + offset) % REGIONS);
        links.add(new Link(a.id(), b.id(), Geo.estimatedRttMs(a, b), 1, 1000, 0, true));
      }
    }
    List<Policy> policies = List.of(
        new Policy("async", ReplicationMode.ASYNC, null, List.of(), null, null, null, null, null,
            new FailoverSettings(true, 3000), null, null),
        new Policy("quorum", ReplicationMode.QUORUM, null, List.of(), new QuorumSpec(3, 2, 2),
            null, ReadConsistency.QUORUM, null, null, null, null, null),
        Policy.of("consensus", ReplicationMode.CONSENSUS)
            .withReadConsistency(ReadConsistency.STRONG),
        Policy.of("everywhere", ReplicationMode.MULTI_PRIMARY)
            .withConflictResolution(ConflictResolution.VERSION_VECTOR));
    List<Policy> withPrimaries = new ArrayList<>();
    List<Dataset> datasets = new ArrayList<>();
    for (int d = 0; d < 50; d++) {
      int first = d * 4;
      int size = d % 4 == 1 ? 3 : 3 + d % 3;
      List<RegionId> replicas = new ArrayList<>();
      for (int k = 0; k < size; k++) {
        replicas.add(id((first + k) % REGIONS));
      }
      Policy policy = policies.get(d % 4);
      if (policy.mode() == ReplicationMode.ASYNC) {
        policy = policy.withName("async-" + d).withPrimary(replicas.get(0))
            .withFailoverPriority(replicas.subList(1, replicas.size()));
        withPrimaries.add(policy);
      }
      datasets.add(new Dataset("dataset-" + d, replicas, List.of(), policy.name()));
    }
    withPrimaries.addAll(policies.subList(1, policies.size()));
    return new Topology("large", "performance fixture", regions, links, withPrimaries, datasets);
  }

  private static RegionId id(int index) {
    return RegionId.of("region-" + index);
  }
}
