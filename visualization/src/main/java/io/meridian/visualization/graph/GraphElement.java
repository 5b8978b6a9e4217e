package io.meridian.visualization.graph;

import io.meridian.model.RegionId;
import java.util.Objects;

/**
 * Something on the graph that can be selected or centred on: a region or a link.
 */
public sealed interface GraphElement {

  /**
   * @param id the region
   * @return the element for that region
   */
  static GraphElement region(RegionId id) {
    return new RegionElement(id);
  }

  /**
   * @param key the link
   * @return the element for that link
   */
  static GraphElement link(LinkKey key) {
    return new LinkElement(key);
  }

  /**
   * A region on the graph.
   *
   * @param id its id
   */
  record RegionElement(RegionId id) implements GraphElement {
    /** Checks the id. */
    public RegionElement {
      Objects.requireNonNull(id, "id");
    }
  }

  /**
   * A link on the graph.
   *
   * @param key its ends
   */
  record LinkElement(LinkKey key) implements GraphElement {
    /** Checks the key. */
    public LinkElement {
      Objects.requireNonNull(key, "key");
    }
  }
}
