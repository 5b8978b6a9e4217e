package io.meridian.model.analysis;

import io.meridian.model.RegionId;
import java.util.List;
import java.util.Optional;

/**
 * What a client in one region sees of one dataset.
 *
 * @param region the client's region
 * @param alive false when the what-if fails this region
 * @param write the write operation
 * @param reads one operation per read consistency level, weakest first
 * @param staleness staleness of eventual reads
 */
public record RegionAnalysis(
    RegionId region, boolean alive, Operation write, List<Operation> reads, Staleness staleness) {

  /** Copies the list. */
  public RegionAnalysis {
    reads = List.copyOf(reads);
  }

  /** The read at a level, by its file name such as {@code quorum}. */
  public Optional<Operation> read(String level) {
    return reads.stream().filter(r -> r.name().equals(level)).findFirst();
  }
}
