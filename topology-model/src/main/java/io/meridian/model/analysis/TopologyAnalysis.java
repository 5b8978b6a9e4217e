package io.meridian.model.analysis;

import java.util.List;
import java.util.Optional;

/**
 * The whole prediction for a topology under a what-if: the value the CLI prints and the studio
 * draws.
 *
 * @param topology the topology's name
 * @param options the options it was computed with
 * @param monteCarlo how the random parts were estimated
 * @param links every link, in topology order
 * @param datasets every dataset, in topology order
 * @param warnings topology-wide findings: faster-than-light links, saturated links, unknown
 *     regions in the what-if
 */
public record TopologyAnalysis(
    String topology,
    AnalysisOptions options,
    MonteCarlo monteCarlo,
    List<LinkAnalysis> links,
    List<DatasetAnalysis> datasets,
    List<String> warnings) {

  /** Copies the lists. */
  public TopologyAnalysis {
    links = List.copyOf(links);
    datasets = List.copyOf(datasets);
    warnings = List.copyOf(warnings);
  }

  /** The dataset's analysis by name. */
  public Optional<DatasetAnalysis> dataset(String name) {
    return datasets.stream().filter(d -> d.name().equals(name)).findFirst();
  }

  /** A link's analysis by name {@code a~b}, in either order. */
  public Optional<LinkAnalysis> link(String name) {
    LinkRef ref = LinkRef.parse(name);
    return links.stream().filter(l -> new LinkRef(l.a(), l.b()).equals(ref)).findFirst();
  }
}
