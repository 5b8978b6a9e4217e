package io.meridian.model.analysis;

import io.meridian.model.RegionId;
import io.meridian.model.ReplicationMode;
import java.util.List;
import java.util.Optional;

/**
 * Everything predicted for one dataset.
 *
 * @param name the dataset
 * @param policy the policy's name
 * @param mode the replication mode, or null when the policy is missing
 * @param replicas the dataset's replica regions
 * @param writeLeader the region that orders writes under the what-if (the primary after any
 *     failover, or the consensus leader), or null for leaderless modes or when there is none
 * @param cap the mode's CAP choice
 * @param pacelc the PACELC class, e.g. {@code PA/EL}
 * @param classification one line on why the mode has that class, tied to its settings
 * @param regions one entry per client region, in topology order
 * @param recovery RPO and RTO, or null when the dataset cannot be analysed
 * @param notes anything the analysis had to assume or could not do
 */
public record DatasetAnalysis(
    String name,
    String policy,
    ReplicationMode mode,
    List<RegionId> replicas,
    RegionId writeLeader,
    CapChoice cap,
    String pacelc,
    String classification,
    List<RegionAnalysis> regions,
    Recovery recovery,
    List<String> notes) {

  /** Copies the lists. */
  public DatasetAnalysis {
    replicas = List.copyOf(replicas);
    regions = List.copyOf(regions);
    notes = List.copyOf(notes);
  }

  /** The entry for a client region. */
  public Optional<RegionAnalysis> region(RegionId id) {
    return regions.stream().filter(r -> r.region().equals(id)).findFirst();
  }

  /** The entry for a client region, by id text. */
  public Optional<RegionAnalysis> region(String id) {
    return region(RegionId.of(id));
  }
}
